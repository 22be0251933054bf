"""Replies with files: ``POST /api/v1/tickets/<id>/replies`` (multipart) writes the reply and keeps its files as
attachments of the message, in one transaction; the outbound e-mail path sends them as MIME parts.

Files are checked like inbound ones (``attachments.limits()``: type list, the bytes must match the declared type,
size per file and count), with a 413 for a body or a file too large and a 422 naming the file otherwise.
"""
import hashlib

from flask import g, request
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import fields, validate
from werkzeug.exceptions import RequestEntityTooLarge

from ..agents.auth import require_role
from ..agents.models import Role
from ..core.config import setting
from ..core.errors import ApiError, ValidationFailed
from ..core.extensions import db
from ..core.http import accepts
from ..core.i18n import _
from ..core.schemas import Schema, Text, choice
from ..tickets.models import Channel, MessageKind
from ..tickets.operations import add_agent_message
from ..tickets.queries import get_visible_ticket
from ..tickets.schemas import MessageSchema
from ..tickets.states import Status
from .attachments import content_matches, limits, safe_filename
from .models import Attachment

blp = Blueprint('reply_files', __name__, url_prefix='/api/v1/tickets',
                description='Replies to e-mail tickets with files attached')
DEFAULT_BODY_BYTES = 25 * 1024 * 1024


class TooLarge(ApiError):
    status, code = 413, 'payload_too_large'


class ReplyFormSchema(Schema):
    body = Text(required=True, min_length=1, max_length=20000, multiline=True)
    status = choice([Status.open, Status.pending, Status.resolved])


class ReplyFilesSchema(Schema):
    files = fields.List(Upload(), required=True, validate=validate.Length(min=1),
                        metadata={'description': 'one or more files (repeat the `files` part)'})


def body_limit() -> int:
    return setting('SUPPORT_REPLY_UPLOAD_MAX_BYTES', DEFAULT_BODY_BYTES)


@blp.before_request
def _bigger_bodies():
    request.max_content_length = body_limit()


@blp.route('/<big:ticket_id>/replies', methods=['POST'])
@accepts('multipart/form-data')
@require_role(Role.agent)
@blp.arguments(ReplyFormSchema, location='form')
@blp.arguments(ReplyFilesSchema, location='files')
@blp.response(201, MessageSchema)
@blp.alt_response(413, description='the body or one file is too large')
def post_reply_with_files(data, uploads, ticket_id):
    """Reply to the customer of an e-mail ticket with files (multipart: ``body``, optional ``status``, ``files``)."""
    files = checked_files(uploads['files'])
    ticket = get_visible_ticket(g.current_agent, ticket_id, for_update=True)
    require_email_reply(ticket)
    message = add_agent_message(ticket, g.current_agent, data['body'], MessageKind.outbound,
                                status=Status(data['status']) if data.get('status') else None)
    attach_files(message, files)
    db.session.commit()
    return message


def require_email_reply(ticket) -> None:
    """Files go with replies by e-mail only (a 422 otherwise)."""
    if ticket.channel not in (Channel.email, Channel.web) or not ticket.customer.email:
        raise _refused(_('Files can only be sent in replies by e-mail.'))


def attach_files(message, files: list[tuple[str, str, bytes]]) -> None:
    """Keep ``checked_files``' files as attachments of ``message`` (the e-mail sends them as MIME parts)."""
    for name, content_type, payload in files:
        db.session.add(Attachment(message=message, filename=name, content_type=content_type, size=len(payload),
                                  sha256=hashlib.sha256(payload).hexdigest(), data=payload))


def _refused(message: str) -> ValidationFailed:
    """A 422 whose message is the reason itself (the console shows it as it is), also under ``files``."""
    return ValidationFailed(message, fields={'files': [message]})


def checked_files(uploads) -> list[tuple[str, str, bytes]]:
    """``(name, type, bytes)`` of each upload, or the 413/422 that names the first one refused."""
    rules = limits()
    if len(uploads) > rules['count']:
        raise _refused(_('At most {count} attachments are accepted per message.').format(count=rules['count']))
    return [_checked(upload, rules) for upload in uploads]


def _checked(upload, rules) -> tuple[str, str, bytes]:
    name = safe_filename(upload.filename)
    content_type = (upload.mimetype or 'application/octet-stream').lower()
    try:
        payload = upload.read(rules['size'] + 1)
    except RequestEntityTooLarge:
        raise TooLarge(_('The request body is too large.')) from None
    if len(payload) > rules['size']:
        raise TooLarge(_('The attachment "{name}" is larger than {size} MB.').format(
            name=name, size=rules['size'] // (1024 * 1024) or 1), fields={'files': [name]})
    if not payload:
        raise _refused(_('The attachment "{name}" is empty.').format(name=name))
    if content_type not in rules['types'] or not content_matches(content_type, payload):
        raise _refused(_('The attachment "{name}" is not of an accepted type ({type}).').format(
            name=name, type=content_type))
    return name, content_type, payload
