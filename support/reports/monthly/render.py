"""The monthly report as a PDF (ReportLab: pure Python, its own charts, no system libraries).

``render(figures, language)`` takes the figures document that ``figures.monthly_figures`` builds
(plain JSON, stored with the report) and returns the PDF's bytes, every label in ``language``.
"""
import io
from datetime import date, datetime

from babel.dates import format_date, format_datetime, format_skeleton
from babel.numbers import format_decimal, format_percent
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ...core.i18n import _, force_locale

INK = colors.HexColor('#1f2933')
MUTED = colors.HexColor('#52606d')
RULE = colors.HexColor('#cbd2d9')
BLUE = colors.HexColor('#2563eb')
TEAL = colors.HexColor('#0f766e')
AMBER = colors.HexColor('#b45309')
WIDTH = A4[0] - 36 * mm  # the frame between the margins


def render(figures: dict, language: str) -> bytes:
    """The PDF of ``figures`` with every label in ``language`` ('en' or 'es')."""
    with force_locale(language):
        buffer = io.BytesIO()
        document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                                     topMargin=16 * mm, bottomMargin=16 * mm, title=_title(figures, language),
                                     author='support', subject=figures['client']['name'], lang=language)
        story = _story(figures, language)
        document.build(story, onFirstPage=_footer(figures, language), onLaterPages=_footer(figures, language))
        return buffer.getvalue()


def _title(figures: dict, language: str) -> str:
    return _('Monthly report: {client}, {month}').format(client=figures['client']['name'],
                                                         month=month_label(figures['month'], language))


def month_label(month: str, language: str) -> str:
    year, number = month.split('-')
    return format_skeleton('yMMMM', date(int(year), int(number), 1), locale=language)  # November 2026, noviembre de 2026


def _styles():
    sheet = getSampleStyleSheet()
    return {'h1': ParagraphStyle('h1', parent=sheet['Heading1'], textColor=INK, fontSize=18, spaceAfter=2),
            'h2': ParagraphStyle('h2', parent=sheet['Heading2'], textColor=INK, fontSize=12.5, spaceBefore=10,
                                 spaceAfter=4),
            'meta': ParagraphStyle('meta', parent=sheet['Normal'], textColor=MUTED, fontSize=9, leading=12),
            'cell': ParagraphStyle('cell', parent=sheet['Normal'], textColor=INK, fontSize=9.5, leading=12),
            'note': ParagraphStyle('note', parent=sheet['Normal'], textColor=MUTED, fontSize=8, leading=10)}


def _story(figures: dict, language: str) -> list:
    styles = _styles()
    story = [Paragraph(_esc(_title(figures, language)), styles['h1']),
             Paragraph(_esc(_('Times in {zone}; from {start} to {end} (excluded).').format(
                 zone=figures['timezone'], start=_day(figures['period']['start'], language),
                 end=_day(figures['period']['end'], language))), styles['meta']),
             Spacer(1, 4 * mm),
             Paragraph(_esc(_('Headline figures')), styles['h2']),
             _headline_table(figures, language, styles)]
    story += [KeepTogether([Paragraph(_esc(_('Contacts per day')), styles['h2']), _daily_volume_chart(figures)]),
              KeepTogether([Paragraph(_esc(_('Service level per day')), styles['h2']),
                            _daily_service_level_chart(figures, language)])]
    if figures.get('channels'):
        story.append(KeepTogether([Paragraph(_esc(_('By channel')), styles['h2']), _channel_chart(figures),
                                   Spacer(1, 3 * mm), _channel_table(figures, language, styles)]))
    story += [Spacer(1, 5 * mm), Paragraph(_esc(_definitions_note(figures, language)), styles['note'])]
    return story


def _esc(text: str) -> str:
    return text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')


def _day(iso: str, language: str) -> str:
    return format_date(date.fromisoformat(iso), 'long', locale=language)


# --- formatting -------------------------------------------------------------------------

def count(value, language: str) -> str:
    return '—' if value is None else format_decimal(value, locale=language)


def share(value, language: str) -> str:
    return '—' if value is None else format_percent(value, '#,##0.0 %', locale=language)


def duration(seconds, language: str) -> str:
    """``42 s``, ``3 min 05 s``, ``2 h 10 min`` (``—`` when there is nothing to measure)."""
    if seconds is None:
        return '—'
    whole = int(round(seconds))
    if whole < 60:
        return _('{n} s').format(n=whole)
    if whole < 3600:
        return _('{m} min {s} s').format(m=whole // 60, s=f'{whole % 60:02d}')
    if whole < 86400:
        return _('{h} h {m} min').format(h=whole // 3600, m=f'{whole % 3600 // 60:02d}')
    return _('{d} d {h} h').format(d=whole // 86400, h=whole % 86400 // 3600)


def headline_rows(figures: dict, language: str) -> list[tuple[str, str]]:
    """The (label, value) pairs of the first table, in order (also what the tests read back)."""
    volume, level = figures['volume'], figures.get('service_level') or {}
    resolution = figures.get('resolution_seconds') or {}
    rows = [(_('Contacts created'), count(volume.get('created'), language)),
            (_('Contacts answered'), count(volume.get('answered'), language)),
            (_('Tickets resolved'), count(volume.get('resolved'), language)),
            (_('Contacts abandoned'), count(volume.get('abandoned'), language)),
            (_('Tickets reopened'), count(volume.get('reopened'), language)),
            (_('Tickets transferred'), count(volume.get('transferred'), language)),
            (_('Average speed of answer (ASA)'), duration(figures.get('asa_seconds'), language))]
    if level.get('target_seconds'):
        rows.append((_('Service level: answered within {seconds} s').format(seconds=level['target_seconds']),
                     _service_level_value(level, language)))
    else:
        rows.append((_('Service level'), _service_level_value(level, language)))
    rows += [(_('SLA targets met'), _sla_value(figures.get('sla') or {}, language)),
             (_('Average handle time (AHT)'), duration(figures.get('aht_seconds'), language)),
             (_('Resolution time, median'), duration(resolution.get('median'), language)),
             (_('Resolution time, 90th percentile'), duration(resolution.get('p90'), language))]
    return rows


def _service_level_value(level: dict, language: str) -> str:
    if not level.get('total'):
        return '—'
    return _('{percent} ({within} of {total})').format(percent=share(level.get('share'), language),
                                                      within=count(level['within'], language),
                                                      total=count(level['total'], language))


def _sla_value(sla: dict, language: str) -> str:
    total = sla.get('met', 0) + sla.get('breached', 0)
    if not total:
        return '—'
    return _('{percent} ({met} of {total})').format(percent=share(sla.get('share'), language),
                                                   met=count(sla['met'], language), total=count(total, language))


def _headline_table(figures: dict, language: str, styles) -> Table:
    cells = [[Paragraph(_esc(label), styles['cell']), Paragraph(f'<b>{_esc(value)}</b>', styles['cell'])]
             for label, value in headline_rows(figures, language)]
    half = (len(cells) + 1) // 2  # two columns of label and value: volume on the left, speed and SLA on the right
    rows = [left + (cells[half + i] if half + i < len(cells) else ['', '']) for i, left in enumerate(cells[:half])]
    table = Table(rows, colWidths=[WIDTH * 0.25, WIDTH * 0.21, WIDTH * 0.34, WIDTH * 0.20])
    table.setStyle(TableStyle([('LINEBELOW', (0, 0), (-1, -2), 0.4, RULE), ('VALIGN', (0, 0), (-1, -1), 'MIDDLE'),
                               ('TOPPADDING', (0, 0), (-1, -1), 3), ('BOTTOMPADDING', (0, 0), (-1, -1), 3),
                               ('LEFTPADDING', (2, 0), (2, -1), 10)]))
    return table


# --- charts -----------------------------------------------------------------------------

def _day_labels(figures: dict) -> list[str]:
    days = [row['date'] for row in figures.get('daily') or []]
    return [str(int(d[8:])) if i % 2 == 0 or len(days) <= 16 else '' for i, d in enumerate(days)]


def whole_step(largest: int) -> int:
    """A step of 1, 2 or 5 times a power of ten giving about five grid lines up to ``largest``."""
    step = 1
    while largest / step > 6:
        step = step * 5 // 2 if str(step)[0] == '2' else step * 2
    return step


def _daily_volume_chart(figures: dict) -> Drawing:
    daily = figures.get('daily') or []
    drawing = Drawing(WIDTH, 54 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 28, 34, WIDTH - 40, 54 * mm - 46
    chart.data = [[row.get('created') or 0 for row in daily] or [0], [row.get('answered') or 0 for row in daily] or [0]]
    chart.categoryAxis.categoryNames = _day_labels(figures) or ['']
    chart.categoryAxis.labels.fontSize = chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin, chart.valueAxis.valueStep = 0, whole_step(max(max(chart.data[0]), max(chart.data[1])))
    chart.valueAxis.visibleGrid, chart.valueAxis.gridStrokeColor = True, RULE
    chart.bars[0].fillColor, chart.bars[1].fillColor = BLUE, TEAL
    chart.bars.strokeColor = None
    chart.barSpacing, chart.groupSpacing = 0.5, 2
    drawing.add(chart)
    drawing.add(_legend([(BLUE, _('Contacts created')), (TEAL, _('Contacts answered'))], 28, 10))
    return drawing


def _daily_service_level_chart(figures: dict, language: str) -> Drawing:
    daily = figures.get('daily') or []
    level = figures.get('service_level') or {}
    drawing = Drawing(WIDTH, 44 * mm)
    values = [None if row.get('service_level') is None else round(row['service_level'] * 100, 1) for row in daily]
    if not any(v is not None for v in values):
        drawing.add(String(28, 20 * mm, _('No real-time contacts this month.'), fontSize=9, fillColor=MUTED))
        return drawing
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 28, 20, WIDTH - 40, 44 * mm - 30
    chart.data = [values]
    chart.joinedLines = True
    chart.lines[0].strokeColor, chart.lines[0].strokeWidth = AMBER, 1.6
    chart.categoryAxis.categoryNames = _day_labels(figures)
    chart.categoryAxis.labels.fontSize = chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labelTextFormat = '%d %%'
    chart.valueAxis.visibleGrid, chart.valueAxis.gridStrokeColor = True, RULE
    drawing.add(chart)
    if level.get('goal_percent'):
        drawing.add(String(WIDTH - 12, 44 * mm - 8, _('goal {goal} %').format(goal=level['goal_percent']),
                           fontSize=7, fillColor=MUTED, textAnchor='end'))
    return drawing


def _channel_chart(figures: dict) -> Drawing:
    rows = figures['channels']
    height = 14 + 14 * len(rows)
    drawing = Drawing(WIDTH, height)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 90, 4, WIDTH - 110, height - 8
    chart.data = [[row.get('created') or 0 for row in rows]]
    chart.categoryAxis.categoryNames = [channel_label(row['channel']) for row in rows]
    chart.categoryAxis.labels.fontSize = chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.valueMin, chart.valueAxis.valueStep = 0, whole_step(max(chart.data[0]))
    chart.bars[0].fillColor, chart.bars.strokeColor = BLUE, None
    chart.barLabelFormat, chart.barLabels.fontSize, chart.barLabels.dx = '%d', 7, 8
    drawing.add(chart)
    return drawing


def _channel_table(figures: dict, language: str, styles) -> Table:
    header = [_('Channel'), _('Contacts'), _('ASA'), _('AHT')]
    rows = [[Paragraph(f'<b>{_esc(text)}</b>', styles['cell']) for text in header]]
    rows += [[Paragraph(_esc(text), styles['cell']) for text in (
        channel_label(row['channel']), count(row.get('created'), language), duration(row.get('asa_seconds'), language),
        duration(row.get('aht_seconds'), language))] for row in figures['channels']]
    table = Table(rows, colWidths=[WIDTH * 0.34, WIDTH * 0.22, WIDTH * 0.22, WIDTH * 0.22])
    table.setStyle(TableStyle([('LINEBELOW', (0, 0), (-1, -1), 0.4, RULE), ('TOPPADDING', (0, 0), (-1, -1), 2),
                               ('BOTTOMPADDING', (0, 0), (-1, -1), 2)]))
    return table


def channel_label(channel: str) -> str:
    from ...console.strings import CHANNEL_LABELS  # the one list of channel names
    from ...tickets.models import Channel
    try:
        return str(CHANNEL_LABELS[Channel(channel)])
    except ValueError:
        return channel


def _legend(items, x, y) -> Legend:
    legend = Legend()
    legend.x, legend.y, legend.alignment, legend.columnMaximum = x, y, 'right', 1
    legend.fontSize, legend.dx, legend.dy, legend.deltax = 8, 7, 7, 120
    legend.colorNamePairs = items
    return legend


def _definitions_note(figures: dict, language: str) -> str:
    return _('ASA: from entering the queue to an agent accepting. Service level: share of real-time contacts '
             'answered within the target, of those that entered the queue (abandoned ones count as missed). '
             'AHT: talk time plus wrap-up. Resolution time in calendar time, of tickets resolved this month.')


def _footer(figures: dict, language: str):
    generated = figures.get('generated_at')

    def draw(canvas, document):
        canvas.saveState()
        canvas.setFont('Helvetica', 7.5)
        canvas.setFillColor(MUTED)
        left = figures['client']['name']
        if generated:
            left += ' · ' + _('generated {when}').format(when=format_datetime(
                datetime.fromisoformat(generated), 'medium', tzinfo=figures['timezone'], locale=language))
        canvas.drawString(18 * mm, 9 * mm, left.replace('\u202f', ' '))  # Babel's narrow space is not in the base fonts
        canvas.drawRightString(A4[0] - 18 * mm, 9 * mm, _('Page {number}').format(number=document.page))
        canvas.restoreState()
    return draw
