"""Webhook subscriptions and deliveries: admins under ``/clients/<slug>/webhooks``, and the
client's own system (signed requests) under ``/intake/webhooks``. Both share the views below."""
from flask import g
from flask_smorest import Blueprint

from ..agents.auth import require_role
from ..agents.models import Role
from ..agents.scope import scoped_client
from ..core.extensions import db
from . import webhook_endpoints as endpoints, webhooks
from .auth import signed_client
from .webhook_schemas import (DeliveryDetailSchema, DeliveryListArgs, DeliveryPageSchema, NewSecretSchema,
                              RotateSecretSchema, SubscriptionCreatedSchema, SubscriptionCreateSchema,
                              SubscriptionSchema, SubscriptionUpdateSchema)

admin_blp = Blueprint('webhooks', __name__, url_prefix='/api/v1/clients/<slug>/webhooks',
                      description="A client's webhook subscriptions and deliveries (admins)")
client_blp = Blueprint('client_webhooks', __name__, url_prefix='/api/v1/intake/webhooks',
                       description='Webhook subscriptions and deliveries, managed by the client system itself '
                                   '(signed like intake)')


def _send_job():
    from ..outbound.tasks import deliver_webhook  # the job lives with the other outbound jobs
    return deliver_webhook


# --- the shared views -----------------------------------------------------------------

def _list(client):
    return webhooks.list_subscriptions(client)


def _create(client, data):
    subscription, secret = webhooks.create_subscription(client, **data)
    db.session.commit()
    subscription.shown_secret = secret  # read once by the response schema
    return subscription


def _rotate(client, subscription_id, data):
    subscription = webhooks.get_subscription(client, subscription_id)
    secret = endpoints.rotate_secret(subscription, data['grace_seconds'])
    db.session.commit()
    return {'secret': secret, 'previous_secret_expires_at': subscription.previous_secret_expires_at}


def _test(client, subscription_id):
    delivery = endpoints.send_test(webhooks.get_subscription(client, subscription_id), send_job=_send_job())
    db.session.commit()
    return webhooks.get_delivery(client, delivery.public_id)


def _enable(client, subscription_id):
    subscription = endpoints.enable(webhooks.get_subscription(client, subscription_id))
    db.session.commit()
    return subscription


def _update(client, subscription_id, data):
    subscription = webhooks.update_subscription(webhooks.get_subscription(client, subscription_id), **data)
    db.session.commit()
    return subscription


def _delete(client, subscription_id):
    webhooks.delete_subscription(webhooks.get_subscription(client, subscription_id))
    db.session.commit()


def _deliveries(client, args):
    items = webhooks.list_deliveries(client, **args)
    more = len(items) == args['limit']
    return {'items': items, 'next_cursor': items[-1].id if more and items else None}


def _redeliver(client, delivery_id):
    delivery = webhooks.redeliver(webhooks.get_delivery(client, delivery_id), send_job=_send_job())
    db.session.commit()
    return webhooks.get_delivery(client, delivery.public_id)


# --- admins ---------------------------------------------------------------------------

@admin_blp.route('', methods=['GET'])
@require_role(Role.admin)
@admin_blp.response(200, SubscriptionSchema(many=True))
def admin_list(slug):
    """The client's subscriptions."""
    return _list(scoped_client(slug))


@admin_blp.route('', methods=['POST'])
@require_role(Role.admin)
@admin_blp.arguments(SubscriptionCreateSchema)
@admin_blp.response(201, SubscriptionCreatedSchema)
def admin_create(data, slug):
    """Subscribe a URL to events; deliveries are signed with the endpoint's ``secret``, shown only now."""
    return _create(scoped_client(slug), data)


@admin_blp.route('/<int:subscription_id>/rotate-secret', methods=['POST'])
@require_role(Role.admin)
@admin_blp.arguments(RotateSecretSchema)
@admin_blp.response(200, NewSecretSchema)
def admin_rotate(data, slug, subscription_id):
    """A new signing secret (shown only now); the old one also signs for ``grace_seconds``."""
    return _rotate(scoped_client(slug), subscription_id, data)


@admin_blp.route('/<int:subscription_id>/test', methods=['POST'])
@require_role(Role.admin)
@admin_blp.response(202, DeliveryDetailSchema)
def admin_test(slug, subscription_id):
    """Send a ``webhook.test`` event to this endpoint now."""
    return _test(scoped_client(slug), subscription_id)


@admin_blp.route('/<int:subscription_id>/enable', methods=['POST'])
@require_role(Role.admin)
@admin_blp.response(200, SubscriptionSchema)
def admin_enable(slug, subscription_id):
    """Re-enable an endpoint that was disabled (or paused); its failure clock starts again."""
    return _enable(scoped_client(slug), subscription_id)


@admin_blp.route('/<int:subscription_id>', methods=['GET'])
@require_role(Role.admin)
@admin_blp.response(200, SubscriptionSchema)
def admin_get(slug, subscription_id):
    """One subscription."""
    return webhooks.get_subscription(scoped_client(slug), subscription_id)


@admin_blp.route('/<int:subscription_id>', methods=['PATCH'])
@require_role(Role.admin)
@admin_blp.arguments(SubscriptionUpdateSchema)
@admin_blp.response(200, SubscriptionSchema)
def admin_update(data, slug, subscription_id):
    """Change the URL, the events, or pause it (``active: false``)."""
    return _update(scoped_client(slug), subscription_id, data)


@admin_blp.route('/<int:subscription_id>', methods=['DELETE'])
@require_role(Role.admin)
@admin_blp.response(204)
def admin_delete(slug, subscription_id):
    """Remove a subscription with its delivery log."""
    _delete(scoped_client(slug), subscription_id)


@admin_blp.route('/deliveries', methods=['GET'])
@require_role(Role.admin)
@admin_blp.arguments(DeliveryListArgs, location='query')
@admin_blp.response(200, DeliveryPageSchema)
def admin_deliveries(args, slug):
    """Deliveries, newest first; filter by status, event or subscription."""
    return _deliveries(scoped_client(slug), args)


@admin_blp.route('/deliveries/<delivery_id>', methods=['GET'])
@require_role(Role.admin)
@admin_blp.response(200, DeliveryDetailSchema)
def admin_delivery(slug, delivery_id):
    """One delivery with its payload and every attempt (status code, error, duration)."""
    return webhooks.get_delivery(scoped_client(slug), delivery_id)


@admin_blp.route('/deliveries/<delivery_id>/redeliver', methods=['POST'])
@require_role(Role.admin)
@admin_blp.response(202, DeliveryDetailSchema)
def admin_redeliver(slug, delivery_id):
    """Send again: a waiting delivery is tried now; a finished one is sent as a new delivery."""
    return _redeliver(scoped_client(slug), delivery_id)


# --- the client system itself (signed requests) -----------------------------------------

@client_blp.route('', methods=['GET'])
@signed_client
@client_blp.response(200, SubscriptionSchema(many=True))
def own_list():
    """Your subscriptions."""
    return _list(g.client)


@client_blp.route('', methods=['POST'])
@signed_client
@client_blp.arguments(SubscriptionCreateSchema)
@client_blp.response(201, SubscriptionCreatedSchema)
def own_create(data):
    """Subscribe a URL of yours to events; verify deliveries with the ``secret``, shown only now."""
    return _create(g.client, data)


@client_blp.route('/<int:subscription_id>/rotate-secret', methods=['POST'])
@signed_client
@client_blp.arguments(RotateSecretSchema)
@client_blp.response(200, NewSecretSchema)
def own_rotate(data, subscription_id):
    """A new signing secret (shown only now); the old one also signs for ``grace_seconds``."""
    return _rotate(g.client, subscription_id, data)


@client_blp.route('/<int:subscription_id>/test', methods=['POST'])
@signed_client
@client_blp.response(202, DeliveryDetailSchema)
def own_test(subscription_id):
    """Send a ``webhook.test`` event to this endpoint now."""
    return _test(g.client, subscription_id)


@client_blp.route('/<int:subscription_id>/enable', methods=['POST'])
@signed_client
@client_blp.response(200, SubscriptionSchema)
def own_enable(subscription_id):
    """Re-enable an endpoint that was disabled (or paused)."""
    return _enable(g.client, subscription_id)


@client_blp.route('/<int:subscription_id>', methods=['GET'])
@signed_client
@client_blp.response(200, SubscriptionSchema)
def own_get(subscription_id):
    """One of your subscriptions."""
    return webhooks.get_subscription(g.client, subscription_id)


@client_blp.route('/<int:subscription_id>', methods=['PATCH'])
@signed_client
@client_blp.arguments(SubscriptionUpdateSchema)
@client_blp.response(200, SubscriptionSchema)
def own_update(data, subscription_id):
    """Change the URL, the events, or pause it."""
    return _update(g.client, subscription_id, data)


@client_blp.route('/<int:subscription_id>', methods=['DELETE'])
@signed_client
@client_blp.response(204)
def own_delete(subscription_id):
    """Remove one of your subscriptions."""
    _delete(g.client, subscription_id)


@client_blp.route('/deliveries', methods=['GET'])
@signed_client
@client_blp.arguments(DeliveryListArgs, location='query')
@client_blp.response(200, DeliveryPageSchema)
def own_deliveries(args):
    """Your deliveries, newest first."""
    return _deliveries(g.client, args)


@client_blp.route('/deliveries/<delivery_id>', methods=['GET'])
@signed_client
@client_blp.response(200, DeliveryDetailSchema)
def own_delivery(delivery_id):
    """One delivery with its payload and attempts."""
    return webhooks.get_delivery(g.client, delivery_id)


@client_blp.route('/deliveries/<delivery_id>/redeliver', methods=['POST'])
@signed_client
@client_blp.response(202, DeliveryDetailSchema)
def own_redeliver(delivery_id):
    """Ask for a delivery again."""
    return _redeliver(g.client, delivery_id)
