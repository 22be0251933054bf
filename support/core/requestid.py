"""Request ids: one per request (taken from ``X-Request-Id`` when it is safe, else made), echoed
in the answer, on every log line of the request, in the jobs it enqueues and in the calls it
makes to other systems (``X-Request-Id``).

Outside a request (a job in the worker), :func:`current` is the id the job carried, or one made
for that run, so every line a job logs can be found by it.
"""
import contextvars
import re
import uuid

from flask import g, has_request_context, request

HEADER = 'X-Request-Id'
# Short and plain, so it can go into logs, headers and job ids as it is: letters, digits, ``._:-``.
_SAFE = re.compile(r'[A-Za-z0-9._:-]{1,64}')
_outside = contextvars.ContextVar('support_request_id', default=None)


def make() -> str:
    return uuid.uuid4().hex


def accept(value: str | None) -> str:
    """``value`` when it is a safe id (at most 64 of ``A-Z a-z 0-9 . _ : -``), else a new one."""
    value = (value or '').strip()
    return value if _SAFE.fullmatch(value) else make()


def current() -> str | None:
    """The id of the request being served, or of the job being run; None elsewhere."""
    if has_request_context():
        return g.get('request_id')
    return _outside.get()


def bind(value: str | None):
    """Make ``value`` (or a new id) current outside a request; returns the token for :func:`unbind`."""
    return _outside.set(accept(value) if value else make())


def unbind(token) -> None:
    _outside.reset(token)


def outgoing_headers() -> dict:
    """``{"X-Request-Id": ...}`` for a call to another system, when there is a current id."""
    value = current()
    return {HEADER: value} if value else {}


def register(app) -> None:
    @app.before_request
    def _take_request_id():
        g.request_id = accept(request.headers.get(HEADER))

    @app.after_request
    def _echo_request_id(response):
        value = g.get('request_id')
        if value:
            response.headers[HEADER] = value
        return response
