import sqlalchemy as sa

from ..core.db import INT_MAX
from ..core.errors import ValidationFailed
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
