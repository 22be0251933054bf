"""Signals the clients domain sends, inside the transaction that made the change."""
from blinker import Namespace

_signals = Namespace()

endpoint_disabled = _signals.signal('webhook-endpoint-disabled', doc="""
Sent when a webhook endpoint was disabled after failing for too long and no other endpoint of
the client could be told. Sender: the ``WebhookSubscription``. Kwargs: ``session`` (the
session that disables it; notify after it commits).
""")

delivery_attempted = _signals.signal('delivery-attempted', doc="""
Sent when the result of one send attempt is recorded (a client callback here, a reply or
acknowledgement in ``outbound``), inside the transaction that records it. Sender: the row
(``WebhookDelivery`` or ``OutboxItem``). Kwargs: ``session``, ``kind`` ("webhook", "reply",
"acknowledgement"), ``transport`` ("http", "smtp"), ``result`` ("sent", "retry", "failed").
""")
