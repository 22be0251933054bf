"""Routing knobs: Flask config first, then the ``SUPPORT_*`` environment, then defaults."""
from datetime import timedelta

from flask import current_app

from ..core.config import setting

DEFAULT_OFFER_TIMEOUTS = {'chat': 30, 'social': 60, 'sms': 60, 'whatsapp': 60, 'phone': 20}


def _setting(name: str, default):
    return setting(name, default)


def offer_timeout(channel: str) -> timedelta:
    """How long an offer on ``channel`` waits for an answer (SUPPORT_OFFER_TIMEOUT_<CHANNEL>)."""
    configured = current_app.config.get('SUPPORT_OFFER_TIMEOUTS') or {}
    seconds = configured.get(channel) or _setting(f'SUPPORT_OFFER_TIMEOUT_{channel.upper()}',
                                                  DEFAULT_OFFER_TIMEOUTS.get(channel, 30))
    return timedelta(seconds=int(seconds))


# How long an agent who declined, missed or transferred a ticket away is kept from it.
DEFAULT_EXCLUSION_TIMEOUTS = {'chat': 300, 'social': 600, 'sms': 600, 'whatsapp': 600, 'phone': 120,
                              'email': 1800, 'web': 1800}


def exclusion_timeout(channel: str) -> timedelta:
    """SUPPORT_EXCLUSION_TIMEOUTS (a dict) or SUPPORT_EXCLUSION_TIMEOUT_<CHANNEL> seconds."""
    configured = current_app.config.get('SUPPORT_EXCLUSION_TIMEOUTS') or {}
    seconds = configured.get(channel) or _setting(f'SUPPORT_EXCLUSION_TIMEOUT_{channel.upper()}',
                                                  DEFAULT_EXCLUSION_TIMEOUTS.get(channel, 600))
    return timedelta(seconds=int(seconds))


def exclusion_grace() -> timedelta:
    """How soon a decliner may get the ticket back when nobody else could take it (SUPPORT_EXCLUSION_GRACE)."""
    return timedelta(seconds=int(_setting('SUPPORT_EXCLUSION_GRACE', 20)))


def sticky_window() -> timedelta:
    return timedelta(seconds=_setting('SUPPORT_STICKY_WINDOW', 7 * 24 * 3600))


def away_on_miss() -> bool:
    return _setting('SUPPORT_AWAY_ON_MISS', True)


def default_threshold() -> int:
    return _setting('SUPPORT_QUEUE_THRESHOLD', 300)


def reroute_on_language() -> bool:
    return _setting('SUPPORT_REROUTE_ON_LANGUAGE', True)


def route_inline() -> bool:
    return _setting('SUPPORT_ROUTING_INLINE', True)


def queue_update_interval() -> float:
    """Seconds between coalesced ``queue.updated`` events (0: emit with every change; tests)."""
    return _setting('SUPPORT_QUEUE_UPDATE_INTERVAL', 0.0 if current_app.testing else 1.0)
