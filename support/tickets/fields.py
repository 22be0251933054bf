"""Custom ticket fields: each client's definitions and each ticket's values (docs/fields.md).

A client defines its fields (``account_number``, ``modem_mac``, ``plan``…): a type (text,
number, select, date, checkbox), English and Spanish labels, an order and an active flag; a
select field lists its options, each with English and Spanish labels. A field may be required
when the ticket is opened (the client's intake API must give it) or before an agent resolves it.

Values are one row per ticket and field holding a canonical text form (``value``: the text, the
number without trailing zeros, the option's value, ``YYYY-MM-DD``, ``true``/``false``), which an
index on ``(field_id, value)`` serves the list's ``field.<name>=`` filter with; a text field's
value is also in the full-text index (``search_text``, support/tickets/search_index.py). The
API shows them as one ``fields`` object, ``{name: value}``, typed by the field.

Values are checked by a marshmallow schema built from the client's active definitions, so an
unknown name or a select value outside its options is a 422 on that name, in the caller's language.
"""
import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import get_locale
from marshmallow import ValidationError, fields as mfields, validate
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core import caches
from ..core.clock import utcnow
from ..core.db import Base, BigId, big_pk, enum_type
from ..core.errors import Conflict, NotFound, ValidationFailed
from ..core.extensions import db
from ..core.i18n import _, _l
from ..core.schemas import Schema, Text
from .models import Ticket
from .states import Status

TEXT_MAX = 500
NUMBER_LIMIT = Decimal(10) ** 15
NUMBER_DECIMALS = 6
NAME_PATTERN = r'^[a-z][a-z0-9_]{0,39}$'


class FieldType(str, enum.Enum):
    text = 'text'
    number = 'number'
    select = 'select'
    date = 'date'
    checkbox = 'checkbox'


class Requirement(str, enum.Enum):
    optional = 'optional'
    on_create = 'on_create'            # the client's intake API must give it when it opens a ticket
    before_resolve = 'before_resolve'  # an agent cannot resolve the ticket without it


class TicketField(Base):
    """One custom field of a client's tickets."""

    __tablename__ = 'ticket_fields'
    __table_args__ = (
        sa.UniqueConstraint('client_id', 'name'),
        sa.CheckConstraint('position >= 0', name='field_position_not_negative'),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey('clients.id', ondelete='CASCADE'))
    name: Mapped[str] = mapped_column(sa.String(40))
    type: Mapped[FieldType] = mapped_column(enum_type(FieldType))
    label_en: Mapped[str] = mapped_column(sa.String(80))
    label_es: Mapped[str] = mapped_column(sa.String(80))
    # select only: [{"value": "fiber", "label_en": "Fiber", "label_es": "Fibra"}, ...] in their order
    options: Mapped[list[dict]] = mapped_column(sa.JSON, default=list)
    required: Mapped[Requirement] = mapped_column(enum_type(Requirement), default=Requirement.optional)
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    def label(self, language: str) -> str:
        return self.label_es if language == 'es' else self.label_en

    def option_values(self) -> list[str]:
        return [option['value'] for option in self.options or []]


class TicketFieldValue(Base):
    """The value of one custom field on one ticket, in canonical text form."""

    __tablename__ = 'ticket_field_values'
    __table_args__ = (
        sa.UniqueConstraint('ticket_id', 'field_id'),
        # The list's ``field.<name>=<value>`` filter: the tickets holding this value of this field.
        sa.Index('ix_ticket_field_values_field_value', 'field_id', 'value', 'ticket_id'),
    )

    id: Mapped[int] = big_pk()
    ticket_id: Mapped[int] = mapped_column(BigId, sa.ForeignKey('tickets.id', ondelete='CASCADE'))
    field_id: Mapped[int] = mapped_column(sa.ForeignKey('ticket_fields.id'))
    value: Mapped[str] = mapped_column(sa.String(TEXT_MAX))
    # A text field's value (NULL for the other types): what the full-text index reads.
    search_text: Mapped[str | None] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    ticket: Mapped[Ticket] = relationship()
    field: Mapped[TicketField] = relationship(lazy='joined')


from .search_index import install as _install_search_index  # noqa: E402

_install_search_index(TicketFieldValue.__table__)


# --- definitions ------------------------------------------------------------------------------

def definitions_of(client_id: int, include_inactive: bool = False) -> list[TicketField]:
    """The client's fields in their order."""
    query = sa.select(TicketField).where(TicketField.client_id == client_id)
    if not include_inactive:
        query = query.where(TicketField.active.is_(True))
    return list(db.session.scalars(query.order_by(TicketField.position, TicketField.name)))


def get_field(client_id: int, field_id: int) -> TicketField:
    row = db.session.get(TicketField, field_id)
    if row is None or row.client_id != client_id:
        raise NotFound(_('No such custom field.'))
    return row


def create_field(client_id: int, data: dict) -> TicketField:
    """A new field; 409 when the client already has one of this name."""
    row = TicketField(client_id=client_id, name=data['name'], type=FieldType(data['type']),
                      label_en=data['label_en'], label_es=data['label_es'], options=data.get('options') or [],
                      required=Requirement(data.get('required', Requirement.optional.value)),
                      position=data.get('position', 0), active=data.get('active', True),
                      created_at=utcnow(), updated_at=utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        raise Conflict(_('This client already has a field of this name.'), fields={'name': [_('Already taken.')]})
    return row


def update_field(row: TicketField, data: dict) -> TicketField:
    """Change labels, options (a select field's), requirement, order or active flag; name and type stay."""
    if 'options' in data:
        if row.type != FieldType.select and data['options']:
            raise ValidationFailed(fields={'options': [_('Only a select field has options.')]})
        if row.type == FieldType.select:
            _check_options_kept(row, data['options'])
    for name in ('label_en', 'label_es', 'options', 'position', 'active'):
        if name in data:
            setattr(row, name, data[name])
    if 'required' in data:
        row.required = Requirement(data['required'])
    row.updated_at = utcnow()
    db.session.flush()
    return row


def _check_options_kept(row: TicketField, options: list[dict]) -> None:
    """An option some ticket holds stays (409): its tickets would hold a value no longer offered."""
    removed = set(row.option_values()) - {option['value'] for option in options}
    if not removed:
        return
    used = db.session.scalar(sa.select(TicketFieldValue.value).where(
        TicketFieldValue.field_id == row.id, TicketFieldValue.value.in_(sorted(removed))).limit(1))
    if used is not None:
        raise Conflict(_('Tickets hold the option "{value}": keep it.').format(value=used),
                       code='option_in_use', fields={'options': [_('Tickets hold the option "{value}".').format(
                           value=used)]})


def delete_field(row: TicketField) -> None:
    """Remove a field no ticket holds a value of (409 otherwise: deactivate it, the values stay)."""
    used = db.session.scalar(sa.select(TicketFieldValue.id).where(TicketFieldValue.field_id == row.id).limit(1))
    if used is not None:
        raise Conflict(_('Tickets hold values of this field: deactivate it instead.'), code='field_in_use')
    db.session.delete(row)
    db.session.flush()


def definition_entry(row: TicketField, language: str | None = None) -> dict:
    """A definition as the API shows it, labels also in ``language`` (the reader's)."""
    language = language or str(get_locale() or 'en')
    return {'id': row.id, 'name': row.name, 'type': row.type.value, 'label': row.label(language),
            'label_en': row.label_en, 'label_es': row.label_es, 'required': row.required.value,
            'position': row.position, 'active': row.active,
            'options': [{**option, 'label': option['label_es' if language == 'es' else 'label_en']}
                        for option in row.options or []]}


# --- values: checking -----------------------------------------------------------------------

def _number(value: Decimal) -> None:
    if abs(value) >= NUMBER_LIMIT:
        raise ValidationError(_('Must be less than {limit} in absolute value.').format(limit=f'{NUMBER_LIMIT:,}'))
    if value.as_tuple().exponent < -NUMBER_DECIMALS:
        raise ValidationError(_('At most {count} decimals.').format(count=NUMBER_DECIMALS))


def _value_field(definition: TicketField) -> mfields.Field:
    """The marshmallow field that checks one value of ``definition`` (null clears it)."""
    if definition.type == FieldType.text:
        return Text(max_length=TEXT_MAX, allow_none=True)
    if definition.type == FieldType.number:
        return mfields.Decimal(allow_none=True, allow_nan=False, validate=_number)
    if definition.type == FieldType.select:
        return mfields.String(allow_none=True, validate=validate.OneOf(
            definition.option_values(), error=_l('Not one of the options of this field: {choices}.')))
    if definition.type == FieldType.date:
        return mfields.Date(allow_none=True)
    return mfields.Boolean(allow_none=True)


def values_schema(definitions: list[TicketField]) -> Schema:
    """A schema of these (active) definitions: an unknown name is a 422 on that name."""
    return Schema.from_dict({d.name: _value_field(d) for d in definitions}, name='FieldValues')()


def canonical(definition: TicketField, value) -> str | None:
    """The stored text of a checked value (None: no value)."""
    if value is None or (definition.type == FieldType.text and value == ''):
        return None
    if definition.type == FieldType.number:
        text = format(value.normalize(), 'f')
        return '0' if text in ('-0', '0') else text
    if definition.type == FieldType.checkbox:
        return 'true' if value else 'false'
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def typed(definition: TicketField, stored: str | None):
    """A stored value as the API shows it: a string, a number, ``YYYY-MM-DD`` or a boolean."""
    if stored is None:
        return None
    if definition.type == FieldType.number:
        number = Decimal(stored)
        return int(number) if number == number.to_integral_value() else float(number)
    if definition.type == FieldType.checkbox:
        return stored == 'true'
    return stored


def check_values(client_id: int, values: dict) -> dict[TicketField, str | None]:
    """``values`` (``{name: value}``) checked against the client's active fields: ``{field: stored text}``.

    A 422 names each wrong entry under ``fields``: an unknown name, a value of the wrong type,
    a select value outside its options.
    """
    if not isinstance(values, dict):
        raise ValidationFailed(fields={'fields': [_('Not a valid mapping type.')]})
    definitions = {d.name: d for d in definitions_of(client_id)}
    try:
        loaded = values_schema(list(definitions.values())).load(values)
    except ValidationError as error:
        raise ValidationFailed(_('Some custom fields are not right.'), fields={'fields': error.messages})
    return {definitions[name]: canonical(definitions[name], value) for name, value in loaded.items()}


_rules = caches.TTLCache('tickets.field_rules')
_rules.watch(TicketField, key=lambda row: row.client_id)


def _load_rules(client_id: int) -> tuple[bool, tuple[str, ...]]:
    rows = db.session.execute(sa.select(TicketField.name, TicketField.active, TicketField.required).where(
        TicketField.client_id == client_id).order_by(TicketField.position, TicketField.name)).all()
    return bool(rows), tuple(name for name, active, required in rows if active and required == Requirement.on_create)


def has_fields(client_id: int) -> bool:
    """Whether the client has defined any field (cached: intake and its answer ask on every ticket)."""
    return _rules.get(client_id, lambda: _load_rules(client_id))[0]


def required_on_create(client_id: int) -> tuple[str, ...]:
    """The names of the client's active fields a new ticket must have (cached)."""
    return _rules.get(client_id, lambda: _load_rules(client_id))[1]


def check_required_on_create(client_id: int, given: dict[TicketField, str | None]) -> None:
    """422 naming each field the client's intake must give a new ticket and did not."""
    given_names = {field.name for field, value in given.items() if value is not None}
    missing = {name: [_('Required when a ticket is opened.')] for name in required_on_create(client_id)
               if name not in given_names}
    if missing:
        raise ValidationFailed(_('Some custom fields are required when a ticket is opened.'),
                               fields={'fields': missing})


def missing_before_resolve(ticket: Ticket) -> list[TicketField]:
    """The fields an agent must fill before resolving ``ticket`` that it has no value of
    (a required checkbox must be ticked)."""
    required = [d for d in definitions_of(ticket.client_id) if d.required == Requirement.before_resolve]
    if not required:
        return []
    held = stored_values(ticket)
    return [d for d in required if held.get(d.id) is None or (d.type == FieldType.checkbox
                                                             and held[d.id].value != 'true')]


def check_required_before_resolve(ticket: Ticket) -> None:
    """422 naming each field the ticket must have before an agent resolves it."""
    missing = missing_before_resolve(ticket)
    if missing:
        raise ValidationFailed(_('Fill in the required fields before resolving this ticket.'),
                               fields={'fields': {d.name: [_('Required before resolving this ticket.')]
                                                  for d in missing}})


# --- values: reading and writing --------------------------------------------------------------

def stored_values(ticket: Ticket) -> dict[int, TicketFieldValue]:
    """``{field_id: value row}`` of the ticket (nothing to read for a ticket this transaction opened)."""
    if ticket.id is None:
        return {}
    rows = db.session.scalars(sa.select(TicketFieldValue).where(TicketFieldValue.ticket_id == ticket.id))
    return {row.field_id: row for row in rows}


def document(ticket: Ticket) -> dict:
    """The ticket's ``fields`` object: every active field of its client (null when it has no value)
    and any value of a field deactivated since, in the fields' order."""
    if ticket.id is None or not has_fields(ticket.client_id):
        return {}
    value = TicketFieldValue.value
    rows = db.session.execute(
        sa.select(TicketField, value).outerjoin(TicketFieldValue, sa.and_(
            TicketFieldValue.field_id == TicketField.id, TicketFieldValue.ticket_id == ticket.id))
        .where(TicketField.client_id == ticket.client_id, sa.or_(TicketField.active.is_(True), value.is_not(None)))
        .order_by(TicketField.position, TicketField.name))
    return {definition.name: typed(definition, stored) for definition, stored in rows}


def apply(ticket: Ticket, checked: dict[TicketField, str | None]) -> tuple[dict, dict] | None:
    """Write checked values on the ticket; ``(before, after)`` of the names that changed, or None.

    A field required on create cannot be cleared; one required before resolve cannot be
    cleared on a resolved or closed ticket.
    """
    held = stored_values(ticket)
    before, after, now = {}, {}, utcnow()
    for definition, stored in checked.items():
        row = held.get(definition.id)
        if (row.value if row else None) == stored:
            continue
        if stored is None:
            _check_clearable(ticket, definition)
        before[definition.name] = typed(definition, row.value) if row else None
        after[definition.name] = typed(definition, stored)
        _write(ticket, definition, row, stored, now)
    return (before, after) if after or before else None


def _check_clearable(ticket: Ticket, definition: TicketField) -> None:
    settled = ticket.status in (Status.resolved, Status.closed)
    if definition.required == Requirement.on_create or (
            definition.required == Requirement.before_resolve and settled):
        raise ValidationFailed(_('Some custom fields are not right.'),
                               fields={'fields': {definition.name: [_('This field is required.')]}})


def _write(ticket, definition, row, stored, now) -> None:
    if stored is None:
        db.session.delete(row)
        return
    search_text = stored if definition.type == FieldType.text else None
    if row is None:
        db.session.add(TicketFieldValue(ticket=ticket, field=definition, value=stored, search_text=search_text,
                                        updated_at=now))
    else:
        row.value, row.search_text, row.updated_at = stored, search_text, now


# --- the list's filter ------------------------------------------------------------------------

def filter_condition(client_ids, filters: dict[str, str]):
    """``Ticket.id IN (…)`` conditions for ``{name: value}`` (``field.<name>=<value>`` in the list).

    The fields are looked up by name among the clients the list covers (``client_ids``; None:
    every client); an unknown name or a value that is not one of the field's is a 422 on
    ``field.<name>``. Each condition reads the index on ``(field_id, value)``.
    """
    conditions, errors = [], {}
    for name, raw in filters.items():
        query = sa.select(TicketField).where(TicketField.name == name)
        if client_ids is not None:
            query = query.where(TicketField.client_id.in_(client_ids))
        definitions = list(db.session.scalars(query))
        pairs = [(d.id, _filter_value(d, raw)) for d in definitions]
        pairs = [(field_id, value) for field_id, value in pairs if value is not None]
        if not definitions:
            errors[f'field.{name}'] = [_('Unknown field.')]
        elif not pairs:
            errors[f'field.{name}'] = [_('Not a valid value of this field.')]
        else:
            conditions.append(Ticket.id.in_(sa.select(TicketFieldValue.ticket_id).where(sa.or_(*(
                sa.and_(TicketFieldValue.field_id == field_id, TicketFieldValue.value == value)
                for field_id, value in pairs)))))
    if errors:
        raise ValidationFailed(fields=errors)
    return conditions


def _filter_value(definition: TicketField, raw: str) -> str | None:
    try:
        return canonical(definition, _value_field(definition).deserialize(raw))
    except ValidationError:
        return None
