"""Demo calendars: a US office week and a Mexican phone line open every day, with their holidays."""
import sqlalchemy as sa

from ..core.extensions import db
from ..sites.models import Site
from .hours import WEEKDAYS, parse_clock
from .models import Calendar
from .operations import create_calendar

CALENDARS = [
    ('US office (Central)', 'America/Chicago', {day: ['09:00-18:00'] for day in WEEKDAYS[:5]}, 'US', ()),
    ('Mexico phone line', 'America/Mexico_City', {day: ['07:00-14:00', '15:00-22:00'] for day in WEEKDAYS}, 'MX',
     ('Polanco', 'Santa Fe')),
]


def _hours(spans: dict[str, list[str]]) -> dict[str, list[dict]]:
    return {day: [dict(zip(('start', 'end'), map(parse_clock, span.split('-')))) for span in day_spans]
            for day, day_spans in spans.items()}


def seed_calendars() -> None:
    """Create the demo calendars that are missing and give the Mexican sites the phone line's hours."""
    for name, zone, spans, country, sites in CALENDARS:
        calendar = db.session.scalar(sa.select(Calendar).filter_by(name=name))
        if calendar is None:
            calendar = create_calendar({'name': name, 'timezone': zone, 'weekly_hours': _hours(spans), 'holidays': [],
                                        'holiday_sets': [{'country': country, 'subdivision': None}]})
        for site in db.session.scalars(sa.select(Site).where(Site.name.in_(sites), Site.calendar_id.is_(None))):
            site.calendar = calendar
    db.session.commit()
