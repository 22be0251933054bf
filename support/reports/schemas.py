"""The query arguments of the report endpoints, and the JSON they answer."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from marshmallow import ValidationError, fields, pre_load, validate, validates_schema

from ..core.i18n import _l
from ..core.schemas import Schema, Text, time_zone
from .buckets import Interval
from .definitions import AGENT_GROUP_FIELDS, GROUP_FIELDS

MAX_DAYS = 400
LIST_HELP = 'comma-separated, or the argument repeated'


class CommaList(fields.List):
    """A query argument given as ``a,b`` or repeated (``?x=a&x=b``); blanks dropped."""

    def __init__(self, inner=None, **kwargs):
        super().__init__(inner or Text(min_length=1, max_length=120), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        items = value if isinstance(value, list) else [value]
        parts = [part.strip() for item in items for part in str(item).split(',') if part.strip()]
        return super()._deserialize(parts, attr, data, **kwargs)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


class ReportArgs(Schema):
    from_ = fields.DateTime(required=True, data_key='from',
                            metadata={'description': 'start (inclusive), ISO 8601; without an offset, UTC'})
    to = fields.DateTime(required=True, metadata={'description': 'end (exclusive), at most 400 days after `from`'})
    group = CommaList(load_default=list, metadata={'description': 'fields to group by, in order: '
                                                                  + ', '.join(GROUP_FIELDS) + ' (' + LIST_HELP + ')'})
    interval = fields.String(load_default=None, validate=validate.OneOf(
        [i.value for i in Interval], error=_l('Give one of: {choices}.')),
        metadata={'enum': [i.value for i in Interval], 'description': 'bucket width'})
    # The zone of the buckets (IANA name); default: the client's zone when one client is reported, else UTC.
    tz = time_zone(load_default=None)
    client = CommaList(load_default=list, metadata={'description': "client slugs (" + LIST_HELP + ')'})
    language = CommaList(load_default=list)
    channel = CommaList(load_default=list)
    site = CommaList(load_default=list, metadata={'description': 'site names'})
    queue = CommaList(fields.Integer(strict=False), load_default=list, metadata={'description': 'queue ids'})
    agent = CommaList(fields.Integer(strict=False), load_default=list, metadata={'description': 'agent ids'})
    product = CommaList(load_default=list)
    disposition = CommaList(load_default=list, metadata={'description': 'disposition codes'})
    format = fields.String(load_default=None, validate=validate.OneOf(['json', 'csv'],
                                                                        error=_l('Give one of: {choices}.')),
                           metadata={'description': 'csv for a CSV download (or send Accept: text/csv)'})

    ALLOWED_GROUPS = GROUP_FIELDS

    @validates_schema(skip_on_field_errors=True)
    def _check(self, data, **kwargs):
        unknown = [g for g in data['group'] if g not in self.ALLOWED_GROUPS]
        if unknown:
            raise ValidationError(_l('Unknown group field: {fields}. Give any of: {allowed}.').format(
                fields=', '.join(unknown), allowed=', '.join(self.ALLOWED_GROUPS)), 'group')
        if len(set(data['group'])) != len(data['group']):
            raise ValidationError(_l('A field appears twice.'), 'group')
        start, end = _aware(data['from_']), _aware(data['to'])
        if start >= end:
            raise ValidationError(_l('"to" must come after "from".'), 'to')
        if end - start > timedelta(days=MAX_DAYS):
            raise ValidationError(_l('The range may be at most {days} days.').format(days=MAX_DAYS), 'to')


class AgentReportArgs(ReportArgs):
    ALLOWED_GROUPS = AGENT_GROUP_FIELDS

    class Meta:
        exclude = ('language', 'channel', 'queue', 'product', 'disposition')


class ClientReportArgs(ReportArgs):
    """The client system's own pull: its own tickets only, so no client argument."""

    class Meta:
        exclude = ('client',)


class ReportSchema(Schema):
    columns = fields.List(fields.Dict(), metadata={'description': '[{key, label, unit}] in row order'})
    rows = fields.List(fields.Dict(), metadata={'description': 'one object per group: column key -> value'})
    timezone = fields.String()
    interval = fields.String(allow_none=True)
