"""REST for CSAT: a ticket's survey and answer, the answers, and their figures for reports."""
from flask import g
from flask_smorest import Blueprint

from ..agents.auth import require_role
from ..agents.models import Role
from ..agents.tokens import Scope
from ..core.errors import NotFound
from ..core.i18n import _
from ..tickets.queries import get_visible_ticket
from ..tickets.schemas import DETAIL_BLOCKS
from . import operations, queries, receivers, tasks  # noqa: F401  (signal receivers; jobs for the worker)
from .schemas import CsatSurveySchema, ResponseListArgs, ResponsePageSchema, SummaryArgs, SummarySchema

blp = Blueprint('csat', __name__, url_prefix='/api/v1',
                description='Customer satisfaction: the question after a resolve and the answers (docs/csat.md)')


@blp.route('/tickets/<big:ticket_id>/csat', methods=['GET'])
@require_role(Role.agent)
@blp.response(200, CsatSurveySchema)
def ticket_csat(ticket_id):
    """The ticket's survey: when it was (or will be) asked, and the customer's answer once given."""
    ticket = get_visible_ticket(g.current_agent, ticket_id)
    survey = operations.survey_of(ticket.id)
    if survey is None:
        raise NotFound(_('Nobody was asked about ticket {number}.').format(number=ticket.number),
                       code='no_survey')
    return operations.survey_data(survey)


@blp.route('/csat/responses', methods=['GET'])
@require_role(Role.supervisor, scope=Scope.reports)
@blp.arguments(ResponseListArgs, location='query')
@blp.response(200, ResponsePageSchema)
def list_responses(args):
    """The answers of my clients' customers, newest first, a page at a time."""
    rows, cursor = queries.responses(g.current_agent, args)
    return {'items': [operations.response_data(r) for r in rows], 'next_cursor': cursor}


@blp.route('/csat/summary', methods=['GET'])
@require_role(Role.supervisor, scope=Scope.reports)
@blp.arguments(SummaryArgs, location='query')
@blp.response(200, SummarySchema)
def summary(args):
    """Responses, average rating and the share rated 4 or 5 (the CSAT score), overall or per client, agent,
    channel or language."""
    return {'group': args.get('group'), 'rows': queries.summary(g.current_agent, args)}


def _detail_block(ticket):
    survey = operations.survey_of(ticket.id)
    return CsatSurveySchema().dump(operations.survey_data(survey)) if survey is not None else None


DETAIL_BLOCKS['csat'] = _detail_block
