import sqlalchemy as sa
from flask_smorest import Blueprint

from ..agents.auth import require_role
from ..agents.models import Role
from ..core.errors import Conflict
from ..core.extensions import db
from ..core.i18n import _
from .models import Site
from .schemas import SiteSchema

blp = Blueprint('sites', __name__, url_prefix='/api/v1/sites', description='Sites of the center')


@blp.route('', methods=['GET'])
@require_role(Role.agent)
@blp.response(200, SiteSchema(many=True))
def list_sites():
    """All sites with their time zones."""
    return db.session.scalars(sa.select(Site).order_by(Site.name)).all()


@blp.route('', methods=['POST'])
@require_role(Role.admin)
@blp.arguments(SiteSchema)
@blp.response(201, SiteSchema)
def post_site(data):
    """Add a site."""
    if db.session.scalar(sa.select(Site.id).filter_by(name=data['name'])) is not None:
        raise Conflict(_('A site with this name already exists.'), fields={'name': [_('Already taken.')]})
    site = Site(**data)
    db.session.add(site)
    db.session.commit()
    return site
