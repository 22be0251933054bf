"""Small, stable dictionaries for live events and snapshots, and times shown in a site's zone."""
from babel.dates import format_datetime as babel_datetime, format_time as babel_time, get_timezone
from flask_babel import force_locale, get_locale

from ..core.clock import utcnow
from ..core.config import setting as core_setting
from ..core.i18n import SUPPORTED_LOCALES


def setting(name: str, default: int) -> int:
    """A lab setting (``SUPPORT_LAB_*``): app config, else the environment, else ``default``."""
    return int(core_setting(name, default))


def site_time(moment, site) -> str:
    """``16:30`` (today in the site's zone) or ``25/11/26, 16:30``, in the current language."""
    zone = get_timezone(site.timezone if site is not None else 'UTC')
    locale = get_locale() or 'en'
    if moment.astimezone(zone).date() == utcnow().astimezone(zone).date():
        return babel_time(moment, 'short', tzinfo=zone, locale=locale)
    return babel_datetime(moment, 'short', tzinfo=zone, locale=locale)


def in_both_languages(build) -> dict:
    """``{"en": ..., "es": ...}``: live events reach people who read different languages."""
    texts = {}
    for locale in SUPPORTED_LOCALES:
        with force_locale(locale):
            texts[locale] = build()
    return texts


def agent_ref(agent) -> dict | None:
    return {'id': agent.id, 'name': agent.name} if agent is not None else None


def unit_ref(unit) -> dict:
    return {'id': unit.id, 'asset_tag': unit.asset_tag, 'serial': unit.serial, 'status': unit.status.value,
            'condition': unit.condition.value, 'site_id': unit.site_id, 'shelf': unit.shelf,
            'model': {'id': unit.model.id, 'maker': unit.model.maker, 'name': unit.model.name,
                      'category': unit.model.category.value}}


def checkout_ref(checkout) -> dict:
    return {'id': checkout.id, 'agent': agent_ref(checkout.agent), 'ticket_id': checkout.ticket_id,
            'checked_out_at': checkout.checked_out_at.isoformat(), 'due_at': checkout.due_at.isoformat(),
            'returned_at': checkout.returned_at.isoformat() if checkout.returned_at else None,
            'condition_out': checkout.condition_out.value,
            'condition_in': checkout.condition_in.value if checkout.condition_in else None,
            'forced': checkout.forced}


def event_payload(unit, checkout=None, **extra) -> dict:
    payload = {'unit': unit_ref(unit), 'site': {'id': unit.site.id, 'name': unit.site.name,
                                                'timezone': unit.site.timezone}}
    if checkout is not None:
        payload['checkout'] = checkout_ref(checkout)
    payload.update(extra)
    return payload
