"""The marshmallow base every API schema uses, and translated validation messages.

Marshmallow's built-in messages are English literals; here they are replaced by
lazy translations so a 422 speaks the caller's language.
"""
import functools
import re
import zoneinfo

from marshmallow import RAISE, Schema as _Schema, ValidationError, fields, pre_load, validate

from .i18n import _, _l

_FIELD_MESSAGES = {
    fields.Field: {'required': _l('Missing data for required field.'),
                   'null': _l('Field may not be null.'),
                   'validator_failed': _l('Invalid value.')},
    fields.Nested: {'type': _l('Invalid type.')},
    fields.List: {'invalid': _l('Not a valid list.')},
    fields.String: {'invalid': _l('Not a valid string.'),
                    'invalid_utf8': _l('Not a valid utf-8 string.')},
    fields.Number: {'invalid': _l('Not a valid number.'), 'too_large': _l('Number too large.')},
    fields.Integer: {'invalid': _l('Not a valid integer.')},
    fields.Boolean: {'invalid': _l('Not a valid boolean.')},
    fields.DateTime: {'invalid': _l('Not a valid datetime.'),
                      'invalid_awareness': _l('Not a valid datetime.'),
                      'format': _l('This value cannot be formatted as a datetime.')},
    fields.Date: {'invalid': _l('Not a valid date.'),
                  'format': _l('This value cannot be formatted as a date.')},
    fields.Dict: {'invalid': _l('Not a valid mapping type.')},
    fields.Mapping: {'invalid': _l('Not a valid mapping type.')},
    fields.Enum: {'unknown': _l('Must be one of: {choices}.')},
}


def _install_translated_messages():
    for cls, messages in _FIELD_MESSAGES.items():
        cls.default_error_messages = dict(messages)
    _Schema._default_error_messages = {'type': _l('Invalid input type.'), 'unknown': _l('Unknown field.')}
    validate.Length.message_min = _l('Shorter than minimum length {min}.')
    validate.Length.message_max = _l('Longer than maximum length {max}.')
    validate.Length.message_all = _l('Length must be between {min} and {max}.')
    validate.Length.message_equal = _l('Length must be {equal}.')
    validate.OneOf.default_message = _l('Must be one of: {choices}.')
    validate.Email.default_message = _l('Not a valid email address.')
    validate.URL.default_message = _l('Not a valid URL.')
    validate.Regexp.default_message = _l('String does not match expected pattern.')


_install_translated_messages()

_CONTROL = re.compile(r'[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]')


class Schema(_Schema):
    """Unknown fields are an error, not silently dropped; no string may hold a NUL character.

    (PostgreSQL cannot store NUL in text, so it would otherwise fail deep in a query.)
    """

    class Meta:
        unknown = RAISE
        ordered = True

    @pre_load
    def _refuse_nul(self, data, **kwargs):
        if hasattr(data, 'items'):
            found = {str(key): [_l('The NUL character is not allowed.')]
                     for key, value in data.items() if _holds_nul(value)}
            if found:
                raise ValidationError(found)
        return data


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return '\x00' in value
    if isinstance(value, (list, tuple)):
        return any(_holds_nul(item) for item in value)
    return False  # nested objects are checked by their own schema


class Text(fields.String):
    """A string with no control characters (newlines and tabs allowed when ``multiline``)."""

    def __init__(self, *, max_length: int, min_length: int = 0, multiline: bool = False, **kwargs):
        validators = list(kwargs.pop('validate', []) or [])
        validators.append(validate.Length(min=min_length, max=max_length))
        super().__init__(validate=validators, **kwargs)
        self.multiline = multiline

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        checked = text.replace('\n', '').replace('\r', '').replace('\t', '') if self.multiline else text
        if _CONTROL.search(checked) or (not self.multiline and ('\n' in text or '\r' in text)):
            raise ValidationError(_l('Control characters are not allowed.'))
        return text.strip() if not self.multiline else text


@functools.cache
def _zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _known_zone(value: str) -> None:
    if value not in _zone_names():
        raise ValidationError(_('Unknown time zone.'))


def time_zone(**kwargs) -> fields.String:
    """An IANA time zone name (``America/Mexico_City``), checked against the tz database."""
    return Text(min_length=1, max_length=64, validate=[_known_zone],
                metadata={'description': 'IANA time zone name', 'example': 'America/Mexico_City'}, **kwargs)


def email(**kwargs) -> fields.String:
    """An e-mail address (marshmallow's Email field insists on a plain-string message)."""
    return fields.String(validate=[validate.Length(max=254), validate.Email()],
                         metadata={'format': 'email'}, **kwargs)


class _Choice(fields.String):
    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(getattr(value, 'value', value), attr, obj, **kwargs)


def choice(values, **kwargs) -> fields.String:
    """A string limited to ``values`` (an enum's values), documented as an enum; dumps an enum as its value."""
    values = [getattr(v, 'value', v) for v in values]
    metadata = {'enum': values, **kwargs.pop('metadata', {})}
    return _Choice(validate=validate.OneOf(values), metadata=metadata, **kwargs)


class ErrorDetail(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    fields = fields.Dict(required=True)


class ErrorSchema(Schema):
    error = fields.Nested(ErrorDetail, required=True)
