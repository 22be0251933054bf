"""Checking files that come with messages: size, count, and that the bytes are what
the declared type says (a renamed executable is refused)."""
import os
import re


from ..core.config import setting
from ..core.i18n import _
from .operations import IncomingFile
from .webhooks import Rejected

DEFAULT_TYPES = (
    'image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain', 'text/csv',
    'application/zip', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'application/vnd.oasis.opendocument.text', 'application/vnd.oasis.opendocument.spreadsheet',
)
_ZIP_TYPES = {'application/zip', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
              'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
              'application/vnd.oasis.opendocument.text', 'application/vnd.oasis.opendocument.spreadsheet'}
_MAGIC = {'image/png': (b'\x89PNG\r\n\x1a\n',), 'image/jpeg': (b'\xff\xd8\xff',),
          'image/gif': (b'GIF87a', b'GIF89a'), 'application/pdf': (b'%PDF-',)}
_EXECUTABLE = (b'MZ', b'\x7fELF', b'\xca\xfe\xba\xbe', b'\xcf\xfa\xed\xfe', b'#!')
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\]')


def limits() -> dict:
    return {'size': setting('SUPPORT_ATTACHMENT_MAX_BYTES', 10 * 1024 * 1024),
            'count': setting('SUPPORT_ATTACHMENT_MAX_COUNT', 20),
            'types': tuple(setting('SUPPORT_ATTACHMENT_TYPES', tuple(DEFAULT_TYPES)))}


def check_files(files: list[IncomingFile]) -> list[IncomingFile]:
    """The files with safe names, or ``Rejected`` naming the first one that is not acceptable."""
    rules = limits()
    if len(files) > rules['count']:
        raise Rejected(_('At most {count} attachments are accepted per message.').format(count=rules['count']),
                       code='too_many_attachments')
    for item in files:
        item.filename = safe_filename(item.filename)
        item.content_type = (item.content_type or 'application/octet-stream').split(';')[0].strip().lower()
        if len(item.data) > rules['size']:
            raise Rejected(_('The attachment "{name}" is larger than {size} MB.').format(
                name=item.filename, size=rules['size'] // (1024 * 1024) or 1), code='attachment_too_large')
        if item.content_type not in rules['types'] or not content_matches(item.content_type, item.data):
            raise Rejected(_('The attachment "{name}" is not of an accepted type ({type}).').format(
                name=item.filename, type=item.content_type), code='attachment_type_refused')
    return files


def content_matches(content_type: str, data: bytes) -> bool:
    """Whether the first bytes agree with the declared type."""
    if data.startswith(_EXECUTABLE) and content_type not in ('text/plain', 'text/csv'):
        return False
    if content_type in _MAGIC:
        return data.startswith(_MAGIC[content_type])
    if content_type == 'image/webp':
        return data[:4] == b'RIFF' and data[8:12] == b'WEBP'
    if content_type in _ZIP_TYPES:
        return data.startswith(b'PK\x03\x04')
    if content_type.startswith('text/'):
        return b'\x00' not in data and not data.startswith((b'MZ', b'\x7fELF'))
    return True


def safe_filename(name: str | None) -> str:
    name = os.path.basename((name or '').replace('\\', '/'))
    name = _UNSAFE_NAME.sub('', name).strip().lstrip('.')
    return name[:200] or 'attachment'
