from marshmallow import ValidationError, fields, post_load, validate, validates

from ..core.schemas import Schema, Text, choice, email
from ..tickets.models import LANGUAGES, Channel
from . import templates
from .models import EndpointFormat

REPLY_CHANNELS = [c.value for c in Channel if c != Channel.email]


class SettingsSchema(Schema):
    email_from = email(allow_none=True)  # From of e-mail replies; SUPPORT_MAIL_FROM when empty
    email_from_name = Text(max_length=120, allow_none=True)
    acknowledgements = fields.Boolean(metadata={'description': 'acknowledge new e-mail and web tickets'})


class EndpointInSchema(Schema):
    url = fields.String(required=True, validate=[validate.Length(min=1, max=2000),
                                                 validate.URL(schemes={'http', 'https'}, require_tld=False)])
    # signed_json: our signed document; twilio: Messages API; meta: Send API
    format = choice(EndpointFormat, load_default=EndpointFormat.signed_json.value)
    account = Text(max_length=64, allow_none=True, metadata={'description': 'Twilio Account SID'})
    secret = Text(max_length=500, allow_none=True, load_only=True,
                  metadata={'description': 'Twilio auth token or Meta page access token; never returned'})
    sender = Text(max_length=64, allow_none=True, metadata={'description': 'Twilio From number'})
    active = fields.Boolean(load_default=True)

    @post_load
    def _enum(self, data, **kwargs):
        return {**data, 'format': EndpointFormat(data['format'])}


class EndpointSchema(Schema):
    channel = fields.String(attribute='channel.value', metadata={'enum': REPLY_CHANNELS})
    url = fields.String()
    format = fields.String(attribute='format.value', metadata={'enum': [f.value for f in EndpointFormat]})
    account = fields.String(allow_none=True)
    sender = fields.String(allow_none=True)
    has_secret = fields.Function(lambda e: bool(e.secret))
    active = fields.Boolean()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


def _template_field(max_length: int, multiline: bool):
    return Text(required=True, min_length=1, max_length=max_length, multiline=multiline,
                metadata={'description': 'placeholders: ' + ', '.join('{%s}' % p for p in templates.PLACEHOLDERS)})


class TemplateInSchema(Schema):
    subject = _template_field(300, False)
    body = _template_field(10000, True)

    @validates('subject')
    def _subject(self, value, **kwargs):
        _check(value)

    @validates('body')
    def _body(self, value, **kwargs):
        _check(value)


def _check(value):
    problems = templates.template_problems(value)
    if problems:
        raise ValidationError(problems)


class TemplateSchema(Schema):
    language = fields.String(metadata={'enum': list(LANGUAGES)})
    subject = fields.String()
    body = fields.String()
    custom = fields.Boolean(metadata={'description': 'false: the built-in text applies'})
    updated_at = fields.DateTime(allow_none=True)


class PreviewSchema(Schema):
    language = fields.String()
    subject = fields.String()
    body = fields.String()


