"""Monthly reports over the API: ask for one, list them, read one."""
from marshmallow import ValidationError, fields, validate

from ...core.i18n import _l
from ...core.schemas import RANGE, Id, Schema, Text, choice
from .models import ReportFile, ReportKind, ReportStatus
from .months import parse_month

MONTH_MESSAGE = _l('Give a month as YYYY-MM, such as 2026-11.')


class Month(fields.String):
    """A calendar month, ``YYYY-MM``, loaded as the date of its first day."""

    def __init__(self, **kwargs):
        metadata = {'pattern': r'^\d{4}-\d{2}$', 'example': '2026-11', **kwargs.pop('metadata', {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return parse_month(text)
        except ValueError:
            raise ValidationError(MONTH_MESSAGE) from None


class MonthlyReportRequestSchema(Schema):
    client = Text(required=True, min_length=1, max_length=64, metadata={'description': "the client's slug"})
    month = Month(required=True, metadata={'description': "a local month of the client's time zone that has ended"})
    regenerate = fields.Boolean(load_default=False,
                                metadata={'description': 'render an existing report again (and announce it again)'})


class MonthlyReportListArgs(Schema):
    client = Text(min_length=1, max_length=64, metadata={'description': "a client's slug"})
    month = Month()
    before = Id(ReportFile.id, metadata={'description': 'the `next_cursor` of the previous page'})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200, error=RANGE))


class ClientMonthlyReportListArgs(Schema):
    month = Month()
    before = Id(ReportFile.id, metadata={'description': 'the `next_cursor` of the previous page'})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200, error=RANGE))


class MonthlyReportSchema(Schema):
    id = fields.Integer()
    client = fields.String(attribute='client.slug')
    kind = choice(ReportKind)
    month = fields.String(metadata={'example': '2026-11'})
    timezone = fields.String()
    language = fields.String()
    status = choice(ReportStatus)
    size = fields.Integer(allow_none=True, metadata={'description': 'bytes of the PDF'})
    sha256 = fields.String(allow_none=True)
    error = fields.String(allow_none=True)
    figures = fields.Method('_figures', allow_none=True, metadata={'type': 'object'})
    pdf_url = fields.Method('_pdf_url', allow_none=True)
    created_at = fields.DateTime()
    generated_at = fields.DateTime(allow_none=True)

    def _figures(self, report):
        from .operations import headline
        return headline(report.figures)

    def _pdf_url(self, report):
        if report.status != ReportStatus.ready:
            return None
        return f"{self.context_prefix}/{report.id}/pdf"

    context_prefix = '/api/v1/reports/monthly'


class ClientMonthlyReportSchema(MonthlyReportSchema):
    context_prefix = '/api/v1/intake/reports/monthly'


class MonthlyReportPageSchema(Schema):
    items = fields.List(fields.Nested(MonthlyReportSchema))
    next_cursor = fields.Integer(allow_none=True, metadata={'description': 'pass as `before` for the next page'})


class ClientMonthlyReportPageSchema(Schema):
    items = fields.List(fields.Nested(ClientMonthlyReportSchema))
    next_cursor = fields.Integer(allow_none=True, metadata={'description': 'pass as `before` for the next page'})
