import sqlalchemy as sa

from ..core.extensions import db
from .models import Site


def get_or_create_site(name: str, timezone: str = 'America/Mexico_City') -> Site:
    """The site called ``name``, created (not committed) when new."""
    site = db.session.scalar(sa.select(Site).filter_by(name=name))
    if site is None:
        site = Site(name=name, timezone=timezone)
        db.session.add(site)
        db.session.flush()
    return site
