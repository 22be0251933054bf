"""Reading provider form posts with their own charsets and transfer encodings.

Werkzeug decodes multipart fields as UTF-8 with replacement characters and
ignores ``Content-Transfer-Encoding``; mail gateways send Latin-1 parts and
quoted-printable text, so parts are read with Werkzeug's low-level decoder and
each one's declared encoding and charset are applied here.
"""
import base64
import binascii
import quopri
from urllib.parse import unquote_to_bytes

from werkzeug.datastructures import MultiDict
from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData

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
    boundary = parse_options_header(content_type)[1]['boundary']
    decoder = MultipartDecoder(boundary.encode('latin-1', 'replace'), max_form_memory_size=None)
    decoder.receive_data(body)
    decoder.receive_data(None)
    fields, files, part, chunks = MultiDict(), [], None, []
    try:
        event = decoder.next_event()
        while not isinstance(event, (Epilogue, NeedData)):
            if isinstance(event, (Field, File)):
                part, chunks = event, []
            elif isinstance(event, Data):
                chunks.append(event.data)
                if not event.more_data and part is not None:
                    _add_part(part, b''.join(chunks), fields, files)
            event = decoder.next_event()
    except ValueError:
        event = None
    if not isinstance(event, Epilogue):
        raise Rejected(_('The multipart form could not be read.'), code='malformed_form')
    return fields, files


def _add_part(part, data: bytes, fields: MultiDict, files: list) -> None:
    """One part, its transfer encoding undone and (for fields) its charset decoded."""
    encoding = part.headers.get('Content-Transfer-Encoding', '').strip().lower()
    try:
        if encoding == 'quoted-printable':
            data = quopri.decodestring(data)
        elif encoding == 'base64':
            data = base64.b64decode(data)
    except (binascii.Error, ValueError):
        raise Rejected(_('The multipart form could not be read.'), code='malformed_form') from None
    mimetype, options = parse_options_header(part.headers.get('Content-Type', ''))
    if isinstance(part, File):
        files.append((part.name, IncomingFile(part.filename or '', mimetype or 'application/octet-stream', data)))
    else:
        fields.add(part.name, decode_text(data, options.get('charset')))


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
