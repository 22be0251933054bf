"""Reading provider form posts with their own charsets and transfer encodings.

Werkzeug decodes multipart fields as UTF-8 with replacement characters and
ignores ``Content-Transfer-Encoding``; mail gateways send Latin-1 parts and
quoted-printable text, so the body is parsed with the standard ``email`` parser.
"""
from email import policy
from email.parser import BytesParser
from urllib.parse import unquote_to_bytes

from werkzeug.datastructures import MultiDict
from werkzeug.http import parse_options_header

from ..core.i18n import _
from .operations import IncomingFile
from .webhooks import Rejected

MAX_FIELDS = 2000


def parse_form(content_type: str, body: bytes) -> tuple[MultiDict, list[tuple[str, IncomingFile]]]:
    """Fields and ``(field name, file)`` pairs of a urlencoded or multipart body."""
    mimetype, options = parse_options_header(content_type or '')
    if mimetype == 'application/x-www-form-urlencoded':
        return _urlencoded(body, options.get('charset')), []
    if mimetype == 'multipart/form-data' and options.get('boundary'):
        return _multipart(content_type, body)
    raise Rejected(_('The body must be a form (multipart/form-data or application/x-www-form-urlencoded).'),
                   code='malformed_form')


def _urlencoded(body: bytes, charset: str | None) -> MultiDict:
    pairs = [pair for pair in body.split(b'&') if pair]
    if len(pairs) > MAX_FIELDS:
        raise Rejected(_('The form has too many fields.'), code='malformed_form')
    fields = MultiDict()
    for pair in pairs:
        name, _sep, value = pair.partition(b'=')
        fields.add(decode_text(unquote_to_bytes(name.replace(b'+', b' ')), charset),
                   decode_text(unquote_to_bytes(value.replace(b'+', b' ')), charset))
    return fields


def _multipart(content_type: str, body: bytes):
    head = b'MIME-Version: 1.0\r\nContent-Type: ' + content_type.encode('latin-1', 'replace') + b'\r\n\r\n'
    try:
        message = BytesParser(policy=policy.compat32).parsebytes(head + body)
    except Exception:  # the parser is lenient; anything it still cannot read is malformed
        raise Rejected(_('The multipart form could not be read.'), code='malformed_form') from None
    if not message.is_multipart() or message.defects:
        raise Rejected(_('The multipart form could not be read.'), code='malformed_form')
    fields, files = MultiDict(), []
    for part in message.get_payload():
        name = part.get_param('name', header='content-disposition')
        if not name:
            continue
        name = _param(name)
        data = part.get_payload(decode=True) or b''
        filename = part.get_filename()
        if filename is not None:
            files.append((name, IncomingFile(_param(filename), part.get_content_type(), data)))
        else:
            fields.add(name, decode_text(data, part.get_content_charset()))
    return fields, files


def _param(value) -> str:
    if isinstance(value, tuple):  # RFC 2231 encoded parameter
        from email.utils import collapse_rfc2231_value
        return collapse_rfc2231_value(value)
    return str(value)


def decode_text(data: bytes, charset: str | None) -> str:
    """Bytes in the declared charset; undeclared, UTF-8 and else Latin-1."""
    if charset:
        try:
            return data.decode(charset)
        except (UnicodeDecodeError, LookupError):
            raise Rejected(_('A form field is not valid text in its character set ({charset}).').format(
                charset=charset), code='malformed_form') from None
    try:
        return data.decode('utf-8')
    except UnicodeDecodeError:
        return data.decode('latin-1')
