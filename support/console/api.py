"""REST API the console needs beyond tickets and routing: canned answers, my tickets, read markers."""
from flask import g
from flask_smorest import Blueprint

from ..agents.auth import require_role
from ..agents.models import Role
from ..core.extensions import db
from ..tickets.queries import get_visible_ticket
from . import operations as ops
from .schemas import (CannedAnswerArgs, CannedAnswerCreateSchema, CannedAnswerSchema, CannedAnswerUpdateSchema,
                      ColleagueSchema, MyTicketsSchema)

canned_blp = Blueprint('canned_answers', __name__, url_prefix='/api/v1/canned-answers',
                       description='Canned answers per client and language')
console_blp = Blueprint('console_api', __name__, url_prefix='/api/v1/console',
                        description="The agent console's own lists: my tickets, read markers, colleagues")


@canned_blp.route('', methods=['GET'])
@require_role(Role.agent)
@canned_blp.arguments(CannedAnswerArgs, location='query', as_kwargs=True)
@canned_blp.response(200, CannedAnswerSchema(many=True))
def list_answers(client=None, language=None):
    """Answers for a client (and those for every client), optionally in one language, by title."""
    return ops.list_canned_answers(g.current_agent, client, language)


@canned_blp.route('', methods=['POST'])
@require_role(Role.supervisor)
@canned_blp.arguments(CannedAnswerCreateSchema)
@canned_blp.response(201, CannedAnswerSchema)
def post_answer(data):
    """Add an answer; ``client`` null makes it available for every client. Same title twice is a 409."""
    answer = ops.create_canned_answer(data.get('client'), data['language'], data['title'], data['body'])
    db.session.commit()
    return answer


@canned_blp.route('/<int:answer_id>', methods=['PATCH'])
@require_role(Role.supervisor)
@canned_blp.arguments(CannedAnswerUpdateSchema)
@canned_blp.response(200, CannedAnswerSchema)
def patch_answer(data, answer_id):
    """Change an answer's language, title or body."""
    answer = ops.update_canned_answer(answer_id, data)
    db.session.commit()
    return answer


@canned_blp.route('/<int:answer_id>', methods=['DELETE'])
@require_role(Role.supervisor)
@canned_blp.response(204)
def delete_answer(answer_id):
    """Remove an answer."""
    db.session.delete(ops.get_canned_answer(answer_id))
    db.session.commit()


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
