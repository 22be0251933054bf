"""The old canned-answer API (``/api/v1/canned-answers``), kept working over macros.

A canned answer was one text in one language; a macro holds both languages, so here one
canned answer is one language's text of a macro, its id the macro's id. The old placeholders
``{customer}`` and ``{agent}`` are read and written as ``{{ customer.name }}`` and
``{{ agent.name }}`` (migration ``0019_macros`` converted the rows the same way).
Listing, creating (which fills the other language of a macro with the same title), changing
and deleting (the whole macro) work as before; new work should use ``/api/v1/macros``.
"""
import ast
import re

import sqlalchemy as sa
from flask import g
from flask_smorest import Blueprint
from marshmallow import ValidationError, fields, validate, validates_schema

from ..agents.auth import require_role
from ..agents.models import Agent, Role
from ..agents.scope import in_scope
from ..clients.models import Client
from ..core.clock import utcnow
from ..core.errors import Conflict, Forbidden, ValidationFailed
from ..core.extensions import db
from ..core.i18n import _, _l
from ..core.schemas import Schema, Text, choice
from ..tickets.models import LANGUAGES
from . import operations as ops
from .models import Macro, MacroKind

OLD_PLACEHOLDERS = {'{customer}': '{{ customer.name }}', '{agent}': '{{ agent.name }}'}
_OLD = re.compile(r'(\{customer\}|\{agent\})')
_LITERAL = re.compile(r"""\{\{ ('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*") \}\}""")


def template_from_canned(body: str) -> str:
    """An old canned text as a template that renders the same (braces of its own kept literal)."""
    parts = []
    for part in _OLD.split(body):
        if part in OLD_PLACEHOLDERS:
            parts.append(OLD_PLACEHOLDERS[part])
        elif '{' in part:
            parts.append('{{ %r }}' % part)
        else:
            parts.append(part)
    return ''.join(parts)


def canned_from_template(template: str) -> str:
    """The reverse, for readers of the old API (other template syntax is shown as it is)."""
    text = _LITERAL.sub(lambda m: ast.literal_eval(m.group(1)), template)
    for old, new in OLD_PLACEHOLDERS.items():
        text = text.replace(new, old)
    return text


def _answer(macro: Macro, language: str) -> dict:
    return {'id': macro.id, 'client': macro.client.slug if macro.client else None, 'language': language,
            'title': macro.title, 'body': canned_from_template(macro.body(language)),
            'updated_at': macro.updated_at}


def list_answers(agent: Agent, client_slug: str | None, language: str | None) -> list[dict]:
    client = _served_client(agent, client_slug) if client_slug else None
    languages = [language] if language else list(LANGUAGES)
    return [_answer(macro, lang) for macro in ops.list_macros(agent, client)
            for lang in languages if macro.body(lang)]


def _served_client(agent: Agent, slug: str) -> Client:
    """As the old API answered: an unknown client is a 422, one the agent does not serve a 403."""
    client = db.session.scalar(sa.select(Client).where(Client.slug == slug))
    if client is None:
        raise ValidationFailed(fields={'client': [_('No client "{slug}".').format(slug=slug)]})
    if not in_scope(agent, client.id):
        raise Forbidden(_('You do not serve this client.'))
    return client


def create_answer(agent: Agent, data: dict) -> dict:
    """A new macro, or the missing language of the macro with this title (409 when that text exists)."""
    client = ops.macro_client(agent, data.get('client'))
    language, title = data['language'], data['title']
    macro = db.session.scalar(sa.select(Macro).where(
        Macro.client_id == client.id if client else Macro.client_id.is_(None), Macro.title == title))
    if macro is not None and macro.body(language):
        raise Conflict(_('A canned answer titled "{title}" already exists for this client and language.')
                       .format(title=title), code='duplicate')
    if macro is None:
        macro = ops.create_macro(agent, {'client': data.get('client'), 'title': title, 'kind': MacroKind.reply,
                                         f'body_{language}': template_from_canned(data['body'])})
    else:
        setattr(macro, f'body_{language}', template_from_canned(data['body']))
        macro.updated_at = utcnow()
    return _answer(macro, language)


def update_answer(agent: Agent, answer_id: int, data: dict) -> dict:
    """Change the title, or the text of one language (``language``: the text to change or to move)."""
    macro = ops.get_editable_macro(agent, answer_id)
    present = [lang for lang in LANGUAGES if macro.body(lang)]
    current = present[0] if len(present) == 1 else data.get('language', present[0] if present else 'en')
    target = data.get('language', current)
    body = template_from_canned(data['body']) if 'body' in data else macro.body(current)
    changes = {'title': data.get('title', macro.title), f'body_{current}': '', f'body_{target}': body}
    return _answer(ops.update_macro(agent, macro, changes), target)


# --- HTTP ---------------------------------------------------------------------------------

blp = Blueprint('canned_answers', __name__, url_prefix='/api/v1/canned-answers',
                description='Canned answers (kept for older callers: one language of a macro; see /macros)')


class CannedAnswerSchema(Schema):
    id = fields.Integer(dump_only=True, metadata={'description': "the macro's id"})
    client = fields.String(dump_only=True, allow_none=True, metadata={'description': 'client slug; null: every client'})
    language = fields.String(dump_only=True)
    title = fields.String(dump_only=True)
    body = fields.String(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class CannedAnswerCreateSchema(Schema):
    client = fields.String(validate=validate.Length(min=1, max=64), allow_none=True)
    language = choice(LANGUAGES, required=True)
    title = Text(required=True, min_length=1, max_length=120)
    body = Text(required=True, min_length=1, max_length=5000, multiline=True)


class CannedAnswerUpdateSchema(Schema):
    language = choice(LANGUAGES)
    title = Text(min_length=1, max_length=120)
    body = Text(min_length=1, max_length=5000, multiline=True)

    @validates_schema
    def _not_empty(self, data, **kwargs):
        if not data:
            raise ValidationError(_l('Send at least one of language, title or body.'))


class CannedAnswerArgs(Schema):
    client = fields.String(validate=validate.Length(min=1, max=64),
                           metadata={'description': 'answers for this client (and those for every client)'})
    language = choice(LANGUAGES)


def _checked(text: str, field: str = 'body') -> None:
    from .rendering import check
    problems = check(template_from_canned(text))
    if problems:
        raise ValidationFailed(fields={field: problems})


@blp.route('', methods=['GET'])
@require_role(Role.agent)
@blp.arguments(CannedAnswerArgs, location='query', as_kwargs=True)
@blp.response(200, CannedAnswerSchema(many=True))
def get_answers(client=None, language=None):
    """Deprecated (use GET /macros): each macro's text per language, for a client and those for every client."""
    return list_answers(g.current_agent, client, language)


@blp.route('', methods=['POST'])
@require_role(Role.supervisor)
@blp.arguments(CannedAnswerCreateSchema)
@blp.response(201, CannedAnswerSchema)
def post_answer(data):
    """Deprecated (use POST /macros): add a text in one language; the same title and language twice is a 409."""
    _checked(data['body'])
    answer = create_answer(g.current_agent, data)
    db.session.commit()
    return answer


@blp.route('/<int:answer_id>', methods=['PATCH'])
@require_role(Role.supervisor)
@blp.arguments(CannedAnswerUpdateSchema)
@blp.response(200, CannedAnswerSchema)
def patch_answer(data, answer_id):
    """Deprecated (use PATCH /macros/{id}): change the title, the text or its language."""
    if 'body' in data:
        _checked(data['body'])
    answer = update_answer(g.current_agent, answer_id, data)
    db.session.commit()
    return answer


@blp.route('/<int:answer_id>', methods=['DELETE'])
@require_role(Role.supervisor)
@blp.response(204)
def delete_answer(answer_id):
    """Deprecated (use DELETE /macros/{id}): remove the macro (both languages)."""
    ops.delete_macro(ops.get_editable_macro(g.current_agent, answer_id))
    db.session.commit()
