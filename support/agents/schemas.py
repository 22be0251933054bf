from marshmallow import EXCLUDE, ValidationError, fields, validate

from ..core.db import INT_MAX
from ..core.i18n import _l
from ..core.schemas import Schema, Text, choice, email
from ..tickets.models import LANGUAGES
from .models import Role
from .throttle import KeyKind
from .tokens import MAX_DAYS, Scope


class TokenRequestSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(min=3, max=254))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))
    otp = fields.String(validate=validate.Length(min=1, max=40),
                        metadata={'description': 'authenticator code or recovery code, when two-factor is on'})


class TokenSchema(Schema):
    token = fields.String(required=True)
    expires_in = fields.Integer()


class CsrfSchema(Schema):
    csrf_token = fields.String(required=True)


class SiteRef(fields.Field):
    """A site by id or by exact name (an unknown one is refused by ``sites.operations.find_site``)."""

    default_error_messages = {'invalid': _l('Give a site id or a site name.')}

    def __init__(self, **kwargs):
        super().__init__(metadata={'oneOf': [{'type': 'integer', 'minimum': 1, 'maximum': INT_MAX},
                                             {'type': 'string', 'minLength': 1, 'maxLength': 120}],
                                   'description': 'site id or exact site name'}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise self.make_error('invalid')
        if isinstance(value, int) and not 0 < value <= INT_MAX:
            raise ValidationError(_l('Must be between {min} and {max}.').format(min=1, max=INT_MAX))
        if isinstance(value, str) and not 0 < len(value) <= 120:
            raise ValidationError(_l('Length must be between {min} and {max}.').format(min=1, max=120))
        return value


class AgentSchema(Schema):
    id = fields.Integer(dump_only=True)
    email = email(required=True)
    name = Text(required=True, min_length=1, max_length=120)
    password = fields.String(load_only=True, required=True, validate=validate.Length(min=8, max=200))
    role = choice(Role, load_default=Role.agent.value)
    languages = fields.List(choice(LANGUAGES), validate=validate.Length(min=1, max=2), load_default=['en'])
    locale = choice(LANGUAGES, allow_none=True)
    site = SiteRef(allow_none=True)
    clients = fields.List(fields.String(validate=validate.Length(max=64)), load_default=list,
                          metadata={'description': 'slugs of the clients served (none: no client)'})
    all_clients = fields.Boolean(load_default=False, metadata={'description': 'serve every client'})
    active = fields.Boolean(load_default=True)


class AgentOutSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    role = fields.String(attribute='role.value')
    languages = fields.List(fields.String())
    locale = fields.String(allow_none=True)
    site = fields.Function(lambda a: a.site.name if a.site else None)
    timezone = fields.Function(lambda a: a.site.timezone if a.site else None)
    clients = fields.Function(lambda a: [c.slug for c in a.clients])
    all_clients = fields.Boolean()
    active = fields.Boolean()
    two_factor = fields.Boolean(attribute='two_factor_enabled')


class AgentUpdateSchema(Schema):
    name = Text(min_length=1, max_length=120)
    password = fields.String(load_only=True, validate=validate.Length(min=8, max=200))
    role = choice(Role)
    languages = fields.List(choice(LANGUAGES), validate=validate.Length(min=1, max=2))
    locale = choice(LANGUAGES, allow_none=True)
    site = SiteRef(allow_none=True)
    clients = fields.List(fields.String(validate=validate.Length(max=64)))
    all_clients = fields.Boolean()
    active = fields.Boolean()


class MeUpdateSchema(Schema):
    locale = choice(LANGUAGES, allow_none=True, required=True)


# --- personal API tokens ---------------------------------------------------------------

class ApiTokenCreateSchema(Schema):
    name = Text(required=True, min_length=1, max_length=120)
    scopes = fields.List(choice(Scope), required=True, validate=validate.Length(min=1, max=len(Scope)))
    expires_in_days = fields.Integer(load_default=90, validate=validate.Range(
        min=1, max=MAX_DAYS, error=_l('Must be between {min} and {max}.')))


class ApiTokenSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    hint = fields.String(metadata={'description': 'the first characters of the token'})
    scopes = fields.List(fields.String(), metadata={'items': {'enum': [s.value for s in Scope]}})
    created_at = fields.DateTime()
    expires_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)
    active = fields.Boolean()


class ApiTokenCreatedSchema(ApiTokenSchema):
    token = fields.String(metadata={'description': 'shown only in this response'})


class ScopeSchema(Schema):
    scope = fields.String()
    label = fields.String()


# --- two-factor ----------------------------------------------------------------------

class TwoFactorStatusSchema(Schema):
    enabled = fields.Boolean()
    required = fields.Boolean(metadata={'description': 'your role must use it'})
    recovery_codes_left = fields.Integer()


class TwoFactorSetupSchema(Schema):
    secret = fields.String(metadata={'description': 'for typing into the app by hand'})
    otpauth_uri = fields.String(metadata={'description': 'for a QR code'})


CODE = validate.Regexp(r'^[0-9A-Za-z -]{6,40}$', error=_l('A code is 6 digits, or a recovery code.'))


class OtpSchema(Schema):
    code = fields.String(required=True, validate=CODE)


class TwoFactorOffSchema(Schema):
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))
    code = fields.String(required=True, validate=CODE)


class RecoveryCodesSchema(Schema):
    recovery_codes = fields.List(fields.String(), metadata={'description': 'each works once; shown only now'})


# --- lockouts ------------------------------------------------------------------------

class LockoutSchema(Schema):
    kind = fields.String(attribute='kind.value', metadata={'enum': [k.value for k in KeyKind]})
    key = fields.String(metadata={'description': 'the e-mail as typed, or the address'})
    failures = fields.Integer()
    locked_until = fields.DateTime()


class LiftSchema(Schema):
    kind = choice(KeyKind, required=True)
    key = fields.String(required=True, validate=validate.Length(min=1, max=254))


class LiftedSchema(Schema):
    lifted = fields.Boolean()


class SsoCallbackArgs(Schema):
    """What the identity provider sends back (Authlib reads and checks it; others are ignored)."""

    class Meta:
        unknown = EXCLUDE

    code = fields.String(validate=validate.Length(max=2000))
    state = fields.String(validate=validate.Length(max=500))
    error = fields.String(validate=validate.Length(max=200))
    error_description = fields.String(validate=validate.Length(max=2000))
    iss = fields.String(validate=validate.Length(max=500))
    session_state = fields.String(validate=validate.Length(max=500))

