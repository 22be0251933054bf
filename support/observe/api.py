"""``GET /metrics``: the Prometheus text of every series, for a scraper holding the token or
calling from an allowed network.

- ``SUPPORT_METRICS_TOKEN``: ``Authorization: Bearer <token>`` opens it from anywhere;
- ``SUPPORT_METRICS_NETWORKS``: comma-separated CIDRs (``10.0.0.0/8,127.0.0.1/32``) whose
  addresses need no token (the address is the caller's, or the one trusted proxies forward:
  ``SUPPORT_TRUSTED_PROXIES``).

Neither set: 404, the endpoint is off. Otherwise a caller outside the networks gets 401 without a
token (``WWW-Authenticate: Bearer``), 403 with a wrong one, or 404 when no token is configured.
"""
import hmac
import ipaddress
import os

from flask import Blueprint, Response, request

from ..core import metrics
from ..core.access import mark_access
from ..core.config import setting
from ..core.errors import error_response
from ..core.i18n import _
from .collectors import JobsCollector, QueueCollector

blp = Blueprint('metrics', __name__)
metrics.add_collector(QueueCollector())
metrics.add_collector(JobsCollector())


def _metrics_doc(method: str) -> dict:
    return {'security': [], 'extensions': {}, 'note': 'the metrics token or an allowed network.'}


def _scrape():
    refused = _refusal()
    if refused is not None:
        return refused
    return Response(metrics.render(), mimetype=None, content_type=metrics.CONTENT_TYPE_LATEST)


blp.add_url_rule('/metrics', 'scrape', mark_access(_scrape, 'metrics-token', _metrics_doc), methods=['GET'])


@blp.record_once
def _check_networks(state) -> None:
    """A mistyped network fails the start, naming the setting, rather than every scrape."""
    value = state.app.config.get('SUPPORT_METRICS_NETWORKS') or os.environ.get('SUPPORT_METRICS_NETWORKS') or ''
    try:
        _networks(value)
    except ValueError as exc:
        raise ValueError(f'SUPPORT_METRICS_NETWORKS: {exc} (expected CIDRs such as 10.0.0.0/8,127.0.0.1/32)') from None


def _refusal():
    token, networks = setting('SUPPORT_METRICS_TOKEN'), _networks(setting('SUPPORT_METRICS_NETWORKS', ()))
    if _address_allowed(networks):
        return None
    if not token:
        return error_response(404)
    given = request.headers.get('Authorization', '')
    if not given.startswith('Bearer '):
        return error_response(401, 'metrics_token_missing', _('The metrics need Authorization: Bearer <token>.'),
                              headers={'WWW-Authenticate': 'Bearer realm="metrics"'})
    if not hmac.compare_digest(given[7:].strip().encode(), token.encode()):
        return error_response(403, 'metrics_token_invalid', _('This metrics token is not valid.'))
    return None


def _networks(value) -> list:
    parts = value.split(',') if isinstance(value, str) else value
    return [ipaddress.ip_network(part.strip(), strict=False) for part in parts if part and part.strip()]


def _address_allowed(networks) -> bool:
    try:
        address = ipaddress.ip_address(request.remote_addr or '')
    except ValueError:
        return False
    return any(address in network for network in networks if network.version == address.version)
