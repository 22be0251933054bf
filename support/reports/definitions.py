"""What each report column means: its key, its translated header, and how it is worked out.

The formulas and exclusions are written out for people in docs/reports.md; the keys here are
the JSON fields and the CSV columns (headers translated to the reader's language).
"""
from dataclasses import dataclass

from ..core.i18n import _l

# Fields a report may be grouped or filtered by (the interval is a separate argument).
GROUP_FIELDS = ('client', 'language', 'channel', 'site', 'queue', 'agent', 'product', 'disposition')
AGENT_GROUP_FIELDS = ('agent', 'site')
GROUP_LABELS = {'client': _l('Client'), 'language': _l('Language'), 'channel': _l('Channel'), 'site': _l('Site'),
                'queue': _l('Queue'), 'agent': _l('Agent'), 'product': _l('Product'),
                'disposition': _l('Disposition'), 'interval_start': _l('Interval start')}

# The SLA metrics with clock rows, and the short names reports use for them ("asa" is the answer clock).
CLOCK_METRICS = ('answer', 'first_response', 'next_response', 'resolution')
SPEED_NAMES = {'answer': 'asa', 'first_response': 'first_response', 'next_response': 'next_response',
               'resolution': 'resolution'}
SPEED_LABELS = {'asa': _l('ASA'), 'first_response': _l('First response'), 'next_response': _l('Next response'),
                'resolution': _l('Resolution')}
PRESENCE_STATES = ('available', 'away', 'offline')


@dataclass(frozen=True)
class Column:
    key: str
    label: object          # a lazy string: str(label) in the reader's language
    unit: str = 'count'    # count | seconds | share (0..1) | rating (1..5) | text

    def header(self) -> str:
        return str(self.label)


def _speed_columns() -> list[Column]:
    cols = []
    for name in SPEED_NAMES.values():
        for basis, basis_label in (('', _l('calendar s')), ('_business', _l('business s'))):
            for stat, stat_label in (('median', _l('median')), ('mean', _l('mean')), ('p90', _l('90th percentile'))):
                cols.append(Column(f'{name}_{stat}{basis}_s', _Joined(SPEED_LABELS[name], stat_label, basis_label),
                                   'seconds'))
    return cols


class _Joined:
    """A header made of translated parts, joined when read (so it follows the reader's language)."""

    def __init__(self, metric, stat, basis):
        self.parts = (metric, stat, basis)

    def __str__(self):
        metric, stat, basis = (str(p) for p in self.parts)
        return f'{metric}, {stat} ({basis})'


class _Sla:
    def __init__(self, metric, what):
        self.metric, self.what = metric, what

    def __str__(self):
        return f'{self.metric}: {self.what}'


VOLUME = [Column('created', _l('Created')), Column('answered', _l('Answered')), Column('resolved', _l('Resolved')),
          Column('reopened', _l('Reopened')), Column('transferred', _l('Transferred')),
          Column('abandoned', _l('Abandoned'))]
SPEED = _speed_columns()
SLA = [col for metric in CLOCK_METRICS for col in (
    Column(f'sla_{metric}_met', _Sla(SPEED_LABELS[SPEED_NAMES[metric]], _l('SLA met'))),
    Column(f'sla_{metric}_breached', _Sla(SPEED_LABELS[SPEED_NAMES[metric]], _l('SLA breached'))),
    Column(f'sla_{metric}_met_share', _Sla(SPEED_LABELS[SPEED_NAMES[metric]], _l('share met')), 'share'))]
SERVICE_LEVEL = [Column('service_level_offered', _l('Service level: offered')),
                 Column('service_level_within', _l('Service level: answered within target')),
                 Column('service_level', _l('Service level'), 'share')]
HANDLE = [Column('handled', _l('Handled')), Column('talk_mean_s', _l('Talk time, mean (s)'), 'seconds'),
          Column('wrapup_mean_s', _l('Wrap-up time, mean (s)'), 'seconds'), Column('aht_s', _l('AHT (s)'), 'seconds')]
CSAT = [Column('csat_responses', _l('CSAT responses')), Column('csat_average', _l('CSAT average (1 to 5)'), 'rating'),
        Column('csat_satisfied_share', _l('CSAT: share satisfied (4 or 5)'), 'share')]
TICKET_MEASURES = VOLUME + SPEED + SLA + SERVICE_LEVEL + HANDLE + CSAT

PRESENCE_LABELS = {'available': _l('Available (s)'), 'away': _l('Away (s)'), 'offline': _l('Offline (s)')}
AGENT_MEASURES = HANDLE + [Column('handling_s', _l('Handling time (s)'), 'seconds')] + [
    Column(f'{state}_s', PRESENCE_LABELS[state], 'seconds') for state in PRESENCE_STATES] + [
    Column('occupancy', _l('Occupancy'), 'share')]


def group_column(field: str) -> Column:
    return Column(field, GROUP_LABELS[field], 'text')
