"""REST for macros: CRUD for supervisors and admins (their clients), lists, preview and apply for agents."""
from flask import g, request
from flask_smorest import Blueprint

from ..agents.auth import require_role
from ..agents.models import Role
from ..agents.scope import scoped_client
from ..channels.reply_files import ReplyFilesSchema, attach_files, body_limit, checked_files, require_email_reply
from ..core.http import accepts
from ..core.extensions import db
from ..tickets.payloads import ticket_summary
from ..tickets.queries import get_visible_ticket
from . import operations as ops
from . import rendering
from .schemas import (MacroAppliedSchema, MacroApplySchema, MacroDraftPreviewSchema, MacroDraftSchema, MacroCreateSchema,
                      MacroFilesFormSchema, MacroListArgs, MacroSchema, MacroUpdateSchema, MacroPreviewSchema)

blp = Blueprint('macros', __name__, url_prefix='/api/v1',
                description='Macros: answers in English and Spanish with placeholders, and actions (docs/macros.md)')


@blp.route('/macros', methods=['GET'])
@require_role(Role.agent)
@blp.arguments(MacroListArgs, location='query', as_kwargs=True)
@blp.response(200, MacroSchema(many=True))
def list_macros(client=None, q=None):
    """Macros I may use, by title: for one client (its own and those for every client), or for all mine."""
    return ops.list_macros(g.current_agent, scoped_client(client) if client else None, q)


@blp.route('/macros', methods=['POST'])
@require_role(Role.supervisor)
@blp.arguments(MacroCreateSchema)
@blp.response(201, MacroSchema)
def post_macro(data):
    """Add a macro for one of my clients (``client`` null: every client, for those who see every client).
    A text that is not a valid template is a 422 on its field; the same title twice for a client a 409."""
    macro = ops.create_macro(g.current_agent, data)
    db.session.commit()
    return macro


@blp.route('/macros/preview', methods=['POST'])
@require_role(Role.supervisor)
@blp.arguments(MacroDraftSchema)
@blp.response(200, MacroDraftPreviewSchema)
def preview_draft(data):
    """Fill in texts not saved yet, from a ticket (``ticket_id``) or from made-up data."""
    agent = g.current_agent
    ticket = get_visible_ticket(agent, data['ticket_id']) if data.get('ticket_id') else None
    client = scoped_client(data['client']) if data.get('client') else None
    result = {}
    for language in ('en', 'es'):
        context = (rendering.context_for(ticket, agent, ops.ticket_fields(ticket)) if ticket
                   else rendering.sample_context(agent, client, language))
        result[f'body_{language}'] = rendering.render(data[f'body_{language}'], context, f'body_{language}')
    return result


@blp.route('/macros/<int:macro_id>', methods=['GET'])
@require_role(Role.agent)
@blp.response(200, MacroSchema)
def get_macro(macro_id):
    """One macro."""
    return ops.get_macro(g.current_agent, macro_id)


@blp.route('/macros/<int:macro_id>', methods=['PATCH'])
@require_role(Role.supervisor)
@blp.arguments(MacroUpdateSchema)
@blp.response(200, MacroSchema)
def patch_macro(data, macro_id):
    """Change a macro: its client, title, texts, kind or actions (``actions`` replaces the given ones)."""
    macro = ops.update_macro(g.current_agent, ops.get_editable_macro(g.current_agent, macro_id), data)
    db.session.commit()
    return macro


@blp.route('/macros/<int:macro_id>', methods=['DELETE'])
@require_role(Role.supervisor)
@blp.response(204)
def delete_macro(macro_id):
    """Remove a macro (what it wrote on tickets stays)."""
    ops.delete_macro(ops.get_editable_macro(g.current_agent, macro_id))
    db.session.commit()


@blp.route('/tickets/<big:ticket_id>/macros', methods=['GET'])
@require_role(Role.agent)
@blp.response(200, MacroSchema(many=True))
def ticket_macros(ticket_id):
    """The macros that apply to this ticket: its client's and those for every client, by title."""
    ticket = get_visible_ticket(g.current_agent, ticket_id)
    return ops.list_macros(g.current_agent, ticket.client)


@blp.route('/tickets/<big:ticket_id>/macros/<int:macro_id>/preview', methods=['GET'])
@require_role(Role.agent)
@blp.response(200, MacroPreviewSchema)
def preview_macro(ticket_id, macro_id):
    """The macro's text filled in for this ticket, in its language, and its actions; nothing changes."""
    agent = g.current_agent
    return ops.preview(ops.get_macro(agent, macro_id), get_visible_ticket(agent, ticket_id), agent)


@blp.route('/tickets/<big:ticket_id>/macros/<int:macro_id>/apply', methods=['POST'])
@require_role(Role.agent)
@blp.arguments(MacroApplySchema)
@blp.response(200, MacroAppliedSchema)
def apply_macro(data, ticket_id, macro_id):
    """Write the macro's reply or note (``body``: my edit of the preview) and apply its actions in one
    transaction; an action the ticket cannot take (an illegal status move, a queue for another channel)
    changes nothing (409/422)."""
    agent = g.current_agent
    macro = ops.get_macro(agent, macro_id)
    ticket = get_visible_ticket(agent, ticket_id, for_update=True)
    message, changes = ops.apply(macro, ticket, agent, data.get('body'), data.get('kind'))
    db.session.commit()
    return {'message': message, 'ticket': ticket_summary(ticket),
            'changes': {name: list(pair) for name, pair in changes.items()}}


@blp.before_request
def _bigger_bodies():
    if request.endpoint == 'macros.apply_macro_with_files':
        request.max_content_length = body_limit()  # files, as a reply with files takes them


@blp.route('/tickets/<big:ticket_id>/macros/<int:macro_id>/apply-with-files', methods=['POST'])
@accepts('multipart/form-data')
@require_role(Role.agent)
@blp.arguments(MacroFilesFormSchema, location='form')
@blp.arguments(ReplyFilesSchema, location='files')
@blp.response(200, MacroAppliedSchema)
@blp.alt_response(413, description='the body or one file is too large')
def apply_macro_with_files(data, uploads, ticket_id, macro_id):
    """Apply a macro as an e-mail reply with files (multipart: ``body``, ``files``): the reply, its files and
    the macro's actions in one transaction, checked as ``POST /tickets/{id}/replies`` checks files."""
    files = checked_files(uploads['files'])
    agent = g.current_agent
    macro = ops.get_macro(agent, macro_id)
    ticket = get_visible_ticket(agent, ticket_id, for_update=True)
    require_email_reply(ticket)
    message, changes = ops.apply(macro, ticket, agent, data['body'], 'reply')
    attach_files(message, files)
    db.session.commit()
    return {'message': message, 'ticket': ticket_summary(ticket),
            'changes': {name: list(pair) for name, pair in changes.items()}}
