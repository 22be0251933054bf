"""Reading "reply 1 to 5": whether a customer's short reply is a rating, and its comment.

A rating is a digit 1 to 5 standing first and alone ("5", "4 gracias", "5/5", "3 de 5: lento"),
or one to five stars ("⭐⭐⭐⭐"). Anything else is conversation, including numbers out of range
("7", "10"), longer numbers ("12345 is my account") and words ("muy bien"): those thread into the
ticket as usual.
"""
import re
from dataclasses import dataclass

MAX_REPLY = 500  # a longer message is a conversation, even if it starts with a digit
# "5 minutes later it broke again" counts something: it is not a rating.
_QUANTITY = (r'(?!\s*(?:min|minutes?|minutos?|h|hrs?|hours?|horas?|d[ií]as?|days?|semanas?|weeks?|mes(?:es)?|'
             r'months?|años?|years?|veces|times|seg|segundos?|seconds?|equipos?|modems?|módems?|routers?)\b)')
_RATING = re.compile(
    r'^\s*([1-5])(?![\d.,]\d)' + _QUANTITY +                       # 1..5, not the start of 12 or 4.5
    r'(?:\s*(?:/\s*5|de\s+5|of\s+5|out\s+of\s+5|estrellas?|stars?|⭐+|\*+)(?![\w]))?'
    r'(?:(?:\s*[\s,.;:!?)\-–—]\s*)(?P<comment>.*))?\s*$', re.IGNORECASE | re.DOTALL)
_STARS = re.compile(r'^\s*(⭐{1,5}|★{1,5})(?:\s+(?P<comment>.*))?\s*$', re.DOTALL)


@dataclass(frozen=True)
class Reading:
    rating: int
    comment: str | None


def read_rating(text: str | None) -> Reading | None:
    """The rating (and any comment after it) a reply gives, or None when it is not a rating."""
    text = (text or '').strip()
    if not text or len(text) > MAX_REPLY:
        return None
    match = _RATING.match(text)
    if match is not None:
        return Reading(int(match.group(1)), _comment(match.group('comment')))
    match = _STARS.match(text)
    if match is not None:
        return Reading(len(match.group(1)), _comment(match.group('comment')))
    return None


def _comment(text: str | None) -> str | None:
    text = ' '.join((text or '').split()).strip(' -–—:,.;')
    return text or None
