"""Logs: one JSON object per line (``SUPPORT_LOG_FORMAT=json``, the default outside debug) or
plain text (``text``, the default in debug), each line with the request id and, inside a request,
its method and path, the agent or client calling; one ``support.http`` line per request answered
(status, duration_ms). See docs/operations.md.
"""
import json
import logging
import sys
import time
from datetime import datetime, timezone

from flask import g, has_request_context, request

from . import requestid

ACCESS = logging.getLogger('support.http')
_HANDLER_NAME = 'support'
# Attributes every LogRecord has: the rest were passed with ``extra=`` and go into the line.
_STANDARD = set(vars(logging.LogRecord('', 0, '', 0, '', (), None))) | {'message', 'asctime', 'taskName'}
_CONTEXT = ('request_id', 'method', 'path', 'status', 'duration_ms', 'agent_id', 'client_id')


class ContextFilter(logging.Filter):
    """Adds the request (or job) context to each record: ``request_id``, ``method``, ``path``,
    ``agent_id``, ``client_id`` (where known)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, 'request_id', None) is None:
            record.request_id = requestid.current()
        if has_request_context():
            for name, value in _request_facts().items():
                if getattr(record, name, None) is None:
                    setattr(record, name, value)
        return True


def _request_facts() -> dict:
    agent, client = g.get('current_agent'), g.get('client')
    return {'method': request.method, 'path': request.path,
            'agent_id': getattr(agent, 'id', None), 'client_id': getattr(client, 'id', None)}


class JsonFormatter(logging.Formatter):
    """``{"ts", "level", "logger", "message", "request_id", ...}`` on one line; None fields left out."""

    def format(self, record: logging.LogRecord) -> str:
        line = {'ts': datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec='milliseconds'),
                'level': record.levelname, 'logger': record.name, 'message': record.getMessage()}
        for name in _CONTEXT:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        for name, value in vars(record).items():
            if name not in _STANDARD and name not in line and value is not None:
                line[name] = value if isinstance(value, (str, int, float, bool)) else str(value)
        if record.exc_info:
            line['exception'] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self):
        super().__init__('%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s')


def make_handler(stream=None, fmt: str = 'json') -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonFormatter() if fmt == 'json' else TextFormatter())
    handler.addFilter(ContextFilter())
    return handler


def configure(app) -> None:
    """Install the process's log handler on the root logger (once) and the per-request line.

    Under tests nothing is installed unless ``SUPPORT_LOG_FORMAT`` is set in the app's config.
    """
    fmt = (app.config.get('SUPPORT_LOG_FORMAT') or '').lower()
    if fmt or not app.testing:
        _install(fmt or ('text' if app.debug else 'json'), app.config.get('SUPPORT_LOG_LEVEL') or 'INFO')
    _log_each_request(app)


def _install(fmt: str, level: str) -> None:
    root = logging.getLogger()
    for existing in list(root.handlers):
        if existing.get_name() == _HANDLER_NAME:
            root.removeHandler(existing)
    root.addHandler(make_handler(fmt=fmt))
    root.setLevel(level.upper())
    logging.getLogger('werkzeug').propagate = True


def _log_each_request(app) -> None:
    @app.before_request
    def _start_clock():
        g.request_started = time.perf_counter()

    @app.after_request
    def _log_answer(response):
        started = g.pop('request_started', None)
        duration = round((time.perf_counter() - started) * 1000, 2) if started is not None else None
        ACCESS.info('%s %s %s', request.method, request.path, response.status_code,
                    extra={'status': response.status_code, 'duration_ms': duration})
        return response
