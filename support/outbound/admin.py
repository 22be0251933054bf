"""Admin configuration of outbound: sender identity, reply endpoints, acknowledgement templates."""
import sqlalchemy as sa

from ..clients.models import Client
from ..clients.webhooks import check_destination
from ..core.clock import utcnow
from ..core.errors import NotFound, ValidationFailed
from ..core.extensions import db
from ..core.i18n import _
from ..tickets.models import LANGUAGES, Channel
from . import templates
from .models import AckTemplate, EndpointFormat, OutboundSettings, ReplyEndpoint


def update_settings(client: Client, **changes) -> OutboundSettings:
    """Save the client's sender identity and acknowledgement switch (upsert, row-locked)."""
    db.session.execute(sa.select(Client.id).where(Client.id == client.id).with_for_update())
    settings = db.session.get(OutboundSettings, client.id)
    if settings is None:
        settings = OutboundSettings(client_id=client.id, acknowledgements=True)
        db.session.add(settings)
    for name, value in changes.items():
        setattr(settings, name, value)
    settings.updated_at = utcnow()
    db.session.flush()
    return settings


def reply_channel(value: str) -> Channel:
    """A channel replies can be configured for (e-mail always goes through SMTP)."""
    if value not in {c.value for c in Channel} or value == Channel.email.value:
        raise NotFound(_('Reply endpoints exist for chat, social, sms, whatsapp, phone and web.'))
    return Channel(value)


def list_endpoints(client: Client) -> list[ReplyEndpoint]:
    return db.session.scalars(sa.select(ReplyEndpoint).filter_by(client_id=client.id)
                              .order_by(ReplyEndpoint.channel)).all()


FORMAT_CHANNELS = {EndpointFormat.twilio: (Channel.sms, Channel.whatsapp), EndpointFormat.meta: (Channel.social,)}


def put_endpoint(client: Client, channel: Channel, url: str, active: bool = True,
                 format: EndpointFormat = EndpointFormat.signed_json, account: str | None = None,
                 secret: str | None = None, sender: str | None = None) -> ReplyEndpoint:
    """Create or replace the reply endpoint of one channel (a provider format needs its credentials)."""
    check_destination(url)
    _check_format(channel, format, account, secret, sender)
    db.session.execute(sa.select(Client.id).where(Client.id == client.id).with_for_update())
    endpoint = db.session.scalar(sa.select(ReplyEndpoint).filter_by(client_id=client.id, channel=channel))
    now = utcnow()
    if endpoint is None:
        endpoint = ReplyEndpoint(client_id=client.id, channel=channel, created_at=now)
        db.session.add(endpoint)
    endpoint.url, endpoint.active, endpoint.updated_at = url, active, now
    endpoint.format, endpoint.account, endpoint.secret, endpoint.sender = format, account, secret, sender
    db.session.flush()
    return endpoint


def _check_format(channel, format, account, secret, sender) -> None:
    allowed = FORMAT_CHANNELS.get(format)
    if allowed is not None and channel not in allowed:
        raise ValidationFailed(fields={'format': [_('The {format} format is for {channels} tickets.').format(
            format=format.value, channels=', '.join(c.value for c in allowed))]})
    needed = {EndpointFormat.twilio: {'account': account, 'secret': secret, 'sender': sender},
              EndpointFormat.meta: {'secret': secret}}.get(format, {})
    missing = {name: [_('Required for the {format} format.').format(format=format.value)]
               for name, value in needed.items() if not value}
    if missing:
        raise ValidationFailed(fields=missing)


def delete_endpoint(client: Client, channel: Channel) -> None:
    endpoint = db.session.scalar(sa.select(ReplyEndpoint).filter_by(client_id=client.id, channel=channel))
    if endpoint is None:
        raise NotFound(_('No reply endpoint is configured for this channel.'))
    db.session.delete(endpoint)


def language(value: str) -> str:
    if value not in LANGUAGES:
        raise NotFound(_('Templates exist for en and es.'))
    return value


def templates_of(client: Client) -> list[dict]:
    """Both languages: the client's own template, or the built-in text."""
    custom = {t.language: t for t in db.session.scalars(sa.select(AckTemplate).filter_by(client_id=client.id))}
    return [_template_view(lang, custom.get(lang)) for lang in LANGUAGES]


def _template_view(lang: str, custom: AckTemplate | None) -> dict:
    if custom is not None:
        return {'language': lang, 'subject': custom.subject, 'body': custom.body, 'custom': True,
                'updated_at': custom.updated_at}
    subject, body = templates.default_ack(lang)
    return {'language': lang, 'subject': subject, 'body': body, 'custom': False, 'updated_at': None}


def put_template(client: Client, lang: str, subject: str, body: str) -> dict:
    """Save the client's acknowledgement in ``lang`` (placeholders checked by the schema)."""
    for field, text in (('subject', subject), ('body', body)):
        problems = templates.template_problems(text)
        if problems:
            raise ValidationFailed(fields={field: problems})
    db.session.execute(sa.select(Client.id).where(Client.id == client.id).with_for_update())
    template = db.session.scalar(sa.select(AckTemplate).filter_by(client_id=client.id, language=lang))
    if template is None:
        template = AckTemplate(client_id=client.id, language=lang)
        db.session.add(template)
    template.subject, template.body, template.updated_at = subject, body, utcnow()
    db.session.flush()
    return _template_view(lang, template)


def reset_template(client: Client, lang: str) -> dict:
    """Go back to the built-in text in ``lang``."""
    db.session.execute(sa.delete(AckTemplate).filter_by(client_id=client.id, language=lang))
    return _template_view(lang, None)


def preview(client: Client, lang: str) -> dict:
    """The acknowledgement as a customer would get it, with sample values."""
    view = templates_of(client)[list(LANGUAGES).index(lang)]
    values = {'number': 1234, 'subject': _sample_subject(lang), 'client': client.name,
              'name': 'Ana García' if lang == 'es' else 'John Miller'}
    return {'language': lang, 'subject': templates.render(view['subject'], values),
            'body': templates.render(view['body'], values)}


def _sample_subject(lang: str) -> str:
    return 'Mi módem se desconecta' if lang == 'es' else 'My modem keeps dropping'
