"""Site operations: create and change sites; a site may use one of the center's calendars."""
import sqlalchemy as sa

from ..calendars.models import Calendar
from ..calendars.operations import register_user_finder
from ..core.db import INT_MAX
from ..core.errors import Conflict, NotFound, ValidationFailed
from ..core.extensions import db
from ..core.i18n import _
from .models import Site


def find_site(reference: int | str, field: str = 'site') -> Site:
    """The site with this id, or with exactly this name; anything else is a 422 (never a new site)."""
    site = None
    if isinstance(reference, int) or (isinstance(reference, str) and reference.isdigit() and len(reference) < 10):
        number = int(reference)
        site = db.session.get(Site, number) if 0 < number <= INT_MAX else None
    if site is None and isinstance(reference, str):
        site = db.session.scalar(sa.select(Site).filter_by(name=reference))
    if site is None:
        raise ValidationFailed(fields={field: [_('Unknown site: {site}. Give its id or its exact name.')
                                               .format(site=reference)]})
    return site


def get_or_create_site(name: str, timezone: str = 'America/Mexico_City') -> Site:
    """The site called ``name``, created (not committed) when new: demo data only."""
    site = db.session.scalar(sa.select(Site).filter_by(name=name))
    if site is None:
        site = Site(name=name, timezone=timezone)
        db.session.add(site)
        db.session.flush()
    return site


def get_site(site_id: int) -> Site:
    site = db.session.scalar(sa.select(Site).where(Site.id == site_id).execution_options(populate_existing=True))
    if site is None:
        raise NotFound(_('Site {id} does not exist.').format(id=site_id), code='site_not_found')
    return site


def create_site(data: dict) -> Site:
    _refuse_taken_name(data['name'])
    site = Site(name=data['name'], timezone=data['timezone'], calendar=_usable_calendar(data.get('calendar_id')))
    db.session.add(site)
    db.session.flush()
    return site


def update_site(site_id: int, data: dict) -> Site:
    """Changes the site's name, zone or calendar (``calendar_id: null`` removes it)."""
    site = get_site(site_id)
    if 'name' in data and data['name'] != site.name:
        _refuse_taken_name(data['name'])
        site.name = data['name']
    site.timezone = data.get('timezone', site.timezone)
    if 'calendar_id' in data:
        site.calendar = _usable_calendar(data['calendar_id'])
    db.session.flush()
    return site


def _refuse_taken_name(name: str) -> None:
    if db.session.scalar(sa.select(Site.id).filter_by(name=name)) is not None:
        raise Conflict(_('A site with this name already exists.'), code='site_name_taken',
                       fields={'name': [_('Already taken.')]})


def _usable_calendar(calendar_id: int | None) -> Calendar | None:
    """The calendar, its row share-locked so that a delete waits for us (and then sees us), or a 422."""
    if calendar_id is None:
        return None
    calendar = db.session.scalar(sa.select(Calendar).where(Calendar.id == calendar_id)
                                 .with_for_update(key_share=True, read=True))
    if calendar is None:
        raise ValidationFailed(fields={'calendar_id': [_('Calendar {id} does not exist.').format(id=calendar_id)]})
    return calendar


def sites_using(calendar_id: int) -> list[str]:
    """The sites whose business hours are the calendar, for the 409 that refuses its delete."""
    names = db.session.scalars(sa.select(Site.name).where(Site.calendar_id == calendar_id).order_by(Site.name))
    return [_('site {name}').format(name=name) for name in names]


register_user_finder(sites_using)
