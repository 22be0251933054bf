"""Schemas of the custom field definitions API (support/tickets/fields_api.py, docs/fields.md)."""
from marshmallow import ValidationError, fields, validate, validates_schema

from ..core.i18n import _l
from ..core.schemas import Schema, Text, choice
from .fields import NAME_PATTERN, FieldType, Requirement

NAME = validate.Regexp(NAME_PATTERN, error=_l(
    'Use 1 to 40 lowercase letters, digits or "_", starting with a letter.'))
OPTION_VALUE = validate.Regexp(r'^[a-z0-9_-]{1,40}$', error=_l('Use 1 to 40 lowercase letters, digits, "-" or "_".'))
MAX_OPTIONS = 100


class OptionSchema(Schema):
    value = fields.String(required=True, validate=OPTION_VALUE, metadata={
        'description': "what a ticket's `fields` holds when this option is chosen"})
    label_en = Text(required=True, min_length=1, max_length=80)
    label_es = Text(required=True, min_length=1, max_length=80)


def _options(least: int = 0, **kwargs):
    return fields.List(fields.Nested(OptionSchema), validate=[validate.Length(min=least, max=MAX_OPTIONS), _distinct],
                       metadata={'description': "a select field's options, in their order (each value once)"},
                       **kwargs)


def _distinct(options):
    values = [option['value'] for option in options]
    if len(set(values)) != len(values):
        raise ValidationError(_l('Each option value once.'))


class FieldListArgs(Schema):
    all = fields.Boolean(load_default=False, metadata={'description': 'inactive fields too (admins)'})


class FieldCreateSchema(Schema):
    name = fields.String(required=True, validate=NAME, metadata={
        'description': "the key in a ticket's `fields` and in the list's `field.<name>=` filter; never changes"})
    type = choice(FieldType, required=True)
    label_en = Text(required=True, min_length=1, max_length=80)
    label_es = Text(required=True, min_length=1, max_length=80)
    options = _options(load_default=list)
    required = choice(Requirement, load_default=Requirement.optional.value, metadata={
        'description': 'on_create: the client\'s intake must give it; before_resolve: an agent cannot resolve '
                       'without it (a checkbox: ticked)'})
    position = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10000))
    active = fields.Boolean(load_default=True)

    @validates_schema(skip_on_field_errors=True)
    def _options_of_select(self, data, **kwargs):
        if data['type'] == FieldType.select.value and not data['options']:
            raise ValidationError(_l('A select field needs at least one option.'), 'options')
        if data['type'] != FieldType.select.value and data['options']:
            raise ValidationError(_l('Only a select field has options.'), 'options')


class FieldUpdateSchema(Schema):
    label_en = Text(min_length=1, max_length=80)
    label_es = Text(min_length=1, max_length=80)
    options = _options(least=1)
    required = choice(Requirement)
    position = fields.Integer(validate=validate.Range(min=0, max=10000))
    active = fields.Boolean()

    @validates_schema
    def _not_empty(self, data, **kwargs):
        if not data:
            raise ValidationError(_l('Send at least one of label_en, label_es, options, required, position or '
                                     'active.'))


class OptionOutSchema(OptionSchema):
    label = fields.String(dump_only=True, metadata={'description': "in the reader's language"})


class FieldSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    type = choice(FieldType, dump_only=True)
    label = fields.String(dump_only=True, metadata={'description': "in the reader's language"})
    label_en = fields.String(dump_only=True)
    label_es = fields.String(dump_only=True)
    options = fields.List(fields.Nested(OptionOutSchema), dump_only=True)
    required = choice(Requirement, dump_only=True)
    position = fields.Integer(dump_only=True)
    active = fields.Boolean(dump_only=True)
