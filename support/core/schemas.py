"""The marshmallow base every API schema uses, and translated validation messages.

Marshmallow's built-in messages are English literals; here they are replaced by
lazy translations so a 422 speaks the caller's language.
"""
import functools
import re
import zoneinfo

from marshmallow import RAISE, Schema as _Schema, ValidationError, fields, pre_load, validate

from .db import INT_MAX, column_max
from .i18n import _, _l

RANGE = _l('Must be between {min} and {max}.')

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

    def on_bind_field(self, field_name, field_obj):
        _bound_integers(field_obj)

    @pre_load
    def _refuse_nul(self, data, **kwargs):
        if hasattr(data, 'items'):
            found = {str(key): [_l('The NUL character is not allowed.')]
                     for key, value in data.items() if _holds_nul(value)}
            if found:
                raise ValidationError(found)
        return data


class _FitsIntegerColumn(validate.Validator):
    """The default bound of every integer field: what a 32-bit column holds.

    Not a ``Range``, so the document keeps describing the field as it was declared (response
    schemas share field classes with request schemas).
    """

    error = RANGE

    def __call__(self, value):
        if not -INT_MAX - 1 <= value <= INT_MAX:
            raise ValidationError(self.error.format(min=-INT_MAX - 1, max=INT_MAX))
        return value


def _bound_integers(field) -> None:
    """Every integer a schema loads fits a database integer column unless the field says otherwise.

    (Python integers have no limit; SQLite and PostgreSQL do, and would fail deep in a query.)
    """
    # Once per field: a schema instance's fields are shallow copies sharing the declared field's
    # validators, so appending on every instantiation grew the list (and each load) per request.
    for inner in (field, getattr(field, 'inner', None), getattr(field, 'value_field', None)):
        if (isinstance(inner, fields.Integer) and not inner.dump_only
                and not any(isinstance(v, (validate.Range, _FitsIntegerColumn)) for v in inner.validators)):
            inner.validators.append(_FitsIntegerColumn())


class Id(fields.Integer):
    """An id in a body or a query string, bounded to the range of the column it names.

    ``Id(Ticket.id)`` takes 1 .. 2**63-1 (a big id), ``Id(Agent.id)`` 1 .. 2**31-1, so a
    number past the column is a 422 with a message, never a database error.
    """

    def __init__(self, column=None, **kwargs):
        maximum = column_max(column) if column is not None else INT_MAX
        validators = [*(kwargs.pop('validate', None) or []), validate.Range(min=1, max=maximum, error=RANGE)]
        super().__init__(validate=validators, **kwargs)


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
    metadata = {'format': 'email', **kwargs.pop('metadata', {})}
    return fields.String(validate=[validate.Length(max=254), validate.Email()], metadata=metadata, **kwargs)


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
