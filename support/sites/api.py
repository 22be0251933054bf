"""Sites: the center's locations, each with a time zone and optionally a calendar of business hours."""
import sqlalchemy as sa
from flask_smorest import Blueprint

from ..agents.auth import require_role
from ..agents.models import Role
from ..core.extensions import db
from .models import Site
from .operations import create_site, get_site, update_site
from .schemas import SiteSchema, SiteUpdateSchema

blp = Blueprint('sites', __name__, url_prefix='/api/v1/sites', description='Sites of the center')


@blp.teardown_request
def _end_transaction(exc=None):
    """A refused change (4xx) leaves nothing half-done in the session, even when the context lives on."""
    db.session.rollback()


@blp.route('', methods=['GET'])
@require_role(Role.agent)
@blp.response(200, SiteSchema(many=True))
def list_sites():
    """All sites with their time zones and calendars."""
    return db.session.scalars(sa.select(Site).order_by(Site.name)).all()


@blp.route('', methods=['POST'])
@require_role(Role.admin)
@blp.arguments(SiteSchema)
@blp.response(201, SiteSchema)
def post_site(data):
    """Add a site (``calendar_id`` optional)."""
    site = create_site(data)
    db.session.commit()
    return site


@blp.route('/<int:site_id>', methods=['GET'])
@require_role(Role.agent)
@blp.response(200, SiteSchema)
def get_one(site_id):
    """One site."""
    return get_site(site_id)


@blp.route('/<int:site_id>', methods=['PATCH'])
@require_role(Role.admin)
@blp.arguments(SiteUpdateSchema)
@blp.response(200, SiteSchema)
def patch_site(data, site_id):
    """Change a site's name, time zone or calendar (``calendar_id: null`` for none)."""
    site = update_site(site_id, data)
    db.session.commit()
    return site
