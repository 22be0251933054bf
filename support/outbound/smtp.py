"""E-mail out through ``SUPPORT_SMTP_URL``: ``smtp://[user:pass@]host:port[?starttls=1]`` or ``smtps://``."""
import secrets
import smtplib
import socket
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from urllib.parse import parse_qs, unquote, urlsplit

from ..core.clock import utcnow


class SendError(Exception):
    """Sending failed; ``permanent`` when retrying cannot help (the server refused for good)."""

    def __init__(self, message: str, permanent: bool = False):
        super().__init__(message[:500])
        self.permanent = permanent


def new_message_id(from_address: str, hint: str) -> str:
    """Our own ``Message-ID`` for a message, on the sender's domain."""
    domain = from_address.rpartition('@')[2] or 'localhost'
    return f'<{secrets.token_hex(8)}.{hint}@{domain}>'  # short: long ones get folded by some servers


def build(envelope: dict) -> EmailMessage:
    """The MIME message of an outbox envelope (utf-8 text; non-ASCII headers are encoded)."""
    message = EmailMessage()
    message['From'] = formataddr((envelope.get('from_name') or '', envelope['from']))
    message['To'] = formataddr((envelope.get('to_name') or '', envelope['to']))
    message['Subject'] = envelope['subject']
    message['Date'] = format_datetime(utcnow())
    message['Message-ID'] = envelope['message_id']
    if envelope.get('in_reply_to'):
        message['In-Reply-To'] = envelope['in_reply_to']
        message['References'] = ' '.join(envelope.get('references') or [envelope['in_reply_to']])
    for name, value in (envelope.get('headers') or {}).items():
        message[name] = value
    message.set_content(envelope['body'], charset='utf-8')
    for filename, content_type, data in envelope.get('attachments') or ():
        maintype, _slash, subtype = content_type.partition('/')
        message.add_attachment(data, maintype=maintype, subtype=subtype or 'octet-stream', filename=filename)
    message['Content-Language'] = envelope['language']  # after set_content, which clears Content-*
    return message


def send(url: str | None, envelope: dict, timeout: float) -> None:
    """Hand the message to the SMTP server; raises ``SendError``."""
    if not url:
        raise SendError('SUPPORT_SMTP_URL is not set')
    parts = urlsplit(url)
    if parts.scheme not in ('smtp', 'smtps') or not parts.hostname:
        raise SendError(f'SUPPORT_SMTP_URL must be smtp://host:port or smtps://host:port, not {parts.scheme}://')
    options = parse_qs(parts.query)
    cls = smtplib.SMTP_SSL if parts.scheme == 'smtps' else smtplib.SMTP
    try:
        with cls(parts.hostname, parts.port or (465 if parts.scheme == 'smtps' else 25), timeout=timeout) as server:
            if options.get('starttls', ['0'])[0] in ('1', 'true', 'yes'):
                server.starttls()
            if parts.username:
                server.login(unquote(parts.username), unquote(parts.password or ''))
            server.send_message(build(envelope))
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _msg in exc.recipients.values()]
        raise SendError(f'recipient refused: {exc.recipients}', permanent=all(c >= 500 for c in codes))
    except smtplib.SMTPAuthenticationError as exc:  # our configuration: fixable, so worth retrying
        raise SendError(f'SMTP authentication failed: {exc.smtp_code}')
    except smtplib.SMTPResponseException as exc:
        raise SendError(f'SMTP {exc.smtp_code}: {exc.smtp_error!r}', permanent=exc.smtp_code >= 500)
    except (smtplib.SMTPException, socket.error) as exc:
        raise SendError(f'{type(exc).__name__}: {exc}')
