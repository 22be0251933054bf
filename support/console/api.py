"""REST API the console needs beyond tickets and routing: my tickets, read markers, colleagues."""
from flask import g
from flask_smorest import Blueprint

from ..agents.auth import require_role
from ..agents.models import Role
from ..core.extensions import db
from ..tickets.queries import get_visible_ticket
from . import operations as ops
from .schemas import ColleagueSchema, MyTicketsSchema

console_blp = Blueprint('console_api', __name__, url_prefix='/api/v1/console',
                        description="The agent console's own lists: my tickets, read markers, colleagues")


@console_blp.route('/my-tickets', methods=['GET'])
@require_role(Role.agent)
@console_blp.response(200, MyTicketsSchema)
def my_tickets():
    """My active and recently resolved tickets, newest activity first, each with ``unread``."""
    return {'items': ops.my_tickets(g.current_agent)}


@console_blp.route('/tickets/<big:ticket_id>/read', methods=['PUT'])
@require_role(Role.agent)
@console_blp.response(204)
def put_read(ticket_id):
    """Mark everything on the ticket as seen by me."""
    ops.mark_read(g.current_agent, get_visible_ticket(g.current_agent, ticket_id))
    db.session.commit()


@console_blp.route('/colleagues', methods=['GET'])
@require_role(Role.agent)
@console_blp.response(200, ColleagueSchema(many=True))
def list_colleagues():
    """Active people a ticket can be transferred to."""
    return ops.colleagues(g.current_agent)
