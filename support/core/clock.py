"""The one source of "now", so tests can move time (or stop it, to check results to the second)."""
from datetime import datetime, timedelta, timezone

_offset = timedelta(0)
_frozen: datetime | None = None


def utcnow() -> datetime:
    """The current time in UTC, shifted by any offset a test set (or where a test stopped it)."""
    if _frozen is not None:
        return _frozen
    return datetime.now(timezone.utc) + _offset


def advance(delta: timedelta) -> None:
    """Move the clock forward (tests only)."""
    global _offset, _frozen
    if _frozen is not None:
        _frozen += delta
    else:
        _offset += delta


def travel_to(when: datetime, freeze: bool = False) -> None:
    """Make the clock read ``when`` now; ``freeze`` stops it there until moved (tests only)."""
    global _offset, _frozen
    if freeze:
        _frozen = when.astimezone(timezone.utc)
    else:
        _frozen = None
        _offset += when - utcnow()


def reset() -> None:
    global _offset, _frozen
    _offset = timedelta(0)
    _frozen = None
