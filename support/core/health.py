import sqlalchemy as sa
from flask_smorest import Blueprint
from marshmallow import fields

from .access import public
from .extensions import db
from .schemas import Schema

blp = Blueprint('health', __name__, url_prefix='/api/v1', description='Liveness')


class HealthSchema(Schema):
    status = fields.String()
    database = fields.String()


@blp.route('/health', methods=['GET'])
@public
@blp.response(200, HealthSchema)
def health():
    """Is the service up and can it reach its database."""
    db.session.execute(sa.text('SELECT 1'))
    return {'status': 'ok', 'database': db.engine.dialect.name}
