"""JSON bodies within limits, checked once at the edge for every route.

Python's parser recurses on nesting (a few thousand ``[`` end in ``RecursionError``) and
turns any run of digits into an integer (5,000 digits raise ``ValueError`` past Python's
conversion limit, and a 30-digit id overflows SQLite). So every JSON body is parsed here
first, with a nesting limit and a number-size limit, and a body over either is a 400
that names the limit; routes and adapters then see only bodies within them.
"""
import json
import math

from flask import Request
from flask.json.provider import DefaultJSONProvider

from .config import setting
from .errors import ApiError
from .i18n import _

DEFAULT_MAX_DEPTH = 32
DEFAULT_MAX_DIGITS = 19   # every 64-bit integer fits in 19 digits
MAX_FLOAT_LENGTH = 40


class JsonLimitExceeded(ValueError):
    """A body that is valid JSON but over one of our limits; ``limit`` names which."""

    def __init__(self, limit: str, value: int):
        super().__init__(f'{limit} over {value}')
        self.limit = limit
        self.value = value


def max_depth() -> int:
    return setting('SUPPORT_JSON_MAX_DEPTH', DEFAULT_MAX_DEPTH)


def max_digits() -> int:
    return setting('SUPPORT_JSON_MAX_DIGITS', DEFAULT_MAX_DIGITS)


def parse(data, depth_limit: int | None = None, digit_limit: int | None = None):
    """``json.loads`` that refuses nesting deeper than ``depth_limit`` and oversized numbers."""
    depth_limit = depth_limit or max_depth()
    digit_limit = digit_limit or max_digits()
    try:
        value = json.loads(data, parse_int=_integer(digit_limit), parse_float=_float(digit_limit),
                           parse_constant=_no_constant)
    except RecursionError:
        raise JsonLimitExceeded('depth', depth_limit) from None
    if _deeper_than(value, depth_limit):
        raise JsonLimitExceeded('depth', depth_limit)
    return value


def _integer(digit_limit: int):
    def parse_int(text: str) -> int:
        if len(text.lstrip('-')) > digit_limit:
            raise JsonLimitExceeded('digits', digit_limit)
        return int(text)
    return parse_int


def _float(digit_limit: int):
    def parse_float(text: str) -> float:
        number = float(text) if len(text) <= MAX_FLOAT_LENGTH else math.inf
        if not math.isfinite(number):
            raise JsonLimitExceeded('digits', digit_limit)
        return number
    return parse_float


def _no_constant(name: str):
    raise ValueError(f'{name} is not JSON')


def _deeper_than(value, limit: int) -> bool:
    """Whether arrays and objects nest more than ``limit`` levels (iteratively: no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


class LimitedJSONProvider(DefaultJSONProvider):
    """The app's JSON: ``request.get_json()`` parses with the limits above."""

    def loads(self, s, **kwargs):
        return parse(s)


class SupportRequest(Request):
    """Requests whose JSON errors speak our error shape and name the limit that was passed."""

    def on_json_loading_failed(self, e):
        if e is None:
            return super().on_json_loading_failed(e)
        if isinstance(e, JsonLimitExceeded) and e.limit == 'depth':
            raise ApiError(_('The JSON body nests deeper than {depth} levels.').format(depth=e.value),
                           code='json_too_deep')
        if isinstance(e, JsonLimitExceeded):
            raise ApiError(_('A number in the JSON body is too large: at most {digits} digits are allowed.')
                           .format(digits=e.value), code='json_number_too_large')
        raise ApiError(_('The body is not valid JSON.'), code='invalid_json')


def install(app) -> None:
    app.json = LimitedJSONProvider(app)
    app.request_class = SupportRequest
