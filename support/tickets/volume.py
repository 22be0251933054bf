"""Synthetic ticket volume on PostgreSQL, for query plans and benchmarks (not for the demo).

``load(connection, tickets=100_000, clients=[...], agents=[...])`` writes customers, tickets,
one to ``max_messages`` messages per ticket and a ``created`` event each with a few
multi-row ``INSERT … SELECT generate_series`` statements, then ANALYZEs: 100k tickets in
seconds. The mix is skewed like a real floor: one large client and a tail of small ones,
40% Spanish, mostly e-mail and chat, the newest tickets open and the old ones resolved.
"""
import sqlalchemy as sa

# Share of the tickets per client, largest first (cut to the clients given).
CLIENT_WEIGHTS = (40, 25, 15, 10, 5, 3, 2)
TAGS = ('billing', 'outage', 'vip', 'modem', 'refund', 'install')
PRODUCTS = ('router', 'modem', 'laptop', 'phone', 'tv')

_CUSTOMERS = """
INSERT INTO customers (client_id, name, email, preferred_language, created_at)
SELECT (CAST(:clients AS int[]))[1 + width_bucket((g * 7919) % 100, CAST(:bounds AS int[]))],
       'Customer ' || g, 'customer' || g || '@example.com',
       CASE WHEN g % 5 < 2 THEN 'es' ELSE 'en' END, now() - interval '400 days'
FROM generate_series(1, :count) AS g
"""

# Ticket g belongs to customer (first + g % customers); age: five minutes per ticket back
# from now, so the newest tenth is the open work and the rest mostly resolved or closed.
_TICKETS = """
INSERT INTO tickets (client_id, customer_id, channel, language, language_source, priority, status, subject,
                     product, tags, assignee_id, created_at, updated_at, resolved_at, sla_due_at, sla_warn_at)
SELECT cu.client_id, cu.id,
       (ARRAY['email','email','email','email','chat','chat','chat','phone','phone','whatsapp','social','sms','web'])
           [1 + (g * 31) % 13],
       cu.preferred_language, 'detected',
       (ARRAY['normal','normal','normal','normal','normal','normal','normal','high','high','low','urgent'])
           [1 + (g * 17) % 11],
       s.status,
       'Ticket ' || g || CASE WHEN cu.preferred_language = 'es' THEN ': sin servicio' ELSE ': no service' END,
       CASE WHEN g % 6 = 0 THEN NULL ELSE (CAST(:products AS text[]))[1 + (g * 13) % 5] END,
       CASE g % 4 WHEN 0 THEN '[]'
                  WHEN 1 THEN '["' || (CAST(:tags AS text[]))[1 + (g * 7) % 6] || '"]'
                  ELSE '["' || (CAST(:tags AS text[]))[1 + (g * 7) % 6] || '", "' || (CAST(:tags AS text[]))[1 + (g * 11 + 1) % 6] || '"]' END::json,
       CASE WHEN s.status = 'new' THEN NULL ELSE (CAST(:agents AS int[]))[1 + (g * 3) % cardinality(CAST(:agents AS int[]))] END,
       s.created_at, s.created_at,
       CASE WHEN s.status IN ('resolved', 'closed') THEN s.created_at + interval '3 hours' END,
       CASE WHEN s.status IN ('new', 'open') THEN s.created_at + interval '1 day' END,
       CASE WHEN s.status IN ('new', 'open') THEN s.created_at + interval '20 hours' END
FROM generate_series(1, :count) AS g
JOIN customers cu ON cu.id = :first_customer + g % :customers
CROSS JOIN LATERAL (SELECT now() - (:count - g) * interval '5 minutes' AS created_at,
    CASE WHEN g > :count * 0.9 THEN (ARRAY['new','open','open','open','pending','pending','resolved'])[1 + g % 7]
         WHEN g % 50 = 0 THEN 'open' WHEN g % 37 = 0 THEN 'pending'
         WHEN g % 3 = 0 THEN 'resolved' ELSE 'closed' END AS status) AS s
"""

_MESSAGES = """
INSERT INTO messages (ticket_id, kind, author_customer_id, author_agent_id, body, language, created_at)
SELECT t.id, CASE WHEN m % 2 = 1 THEN 'inbound' ELSE 'outbound' END,
       CASE WHEN m % 2 = 1 THEN t.customer_id END, CASE WHEN m % 2 = 0 THEN t.assignee_id END,
       CASE WHEN t.language = 'es' THEN 'Mi módem no tiene señal desde ayer, ya lo reinicié ' || m || ' veces.'
            ELSE 'My modem has had no signal since yesterday, I restarted it ' || m || ' times.' END,
       t.language, t.created_at + m * interval '10 minutes'
FROM tickets t CROSS JOIN LATERAL generate_series(1, 1 + t.id % :max_messages) AS m
WHERE t.id > :after
"""

_EVENTS = """
INSERT INTO ticket_events (ticket_id, kind, actor_type, actor_name, after, created_at)
SELECT t.id, 'created', 'client', 'volume', '{"status": "new"}', t.created_at FROM tickets t WHERE t.id > :after
"""


def _bounds(clients: int) -> list[int]:
    weights = CLIENT_WEIGHTS[:clients] + (1,) * max(0, clients - len(CLIENT_WEIGHTS))
    total, running, bounds = sum(weights), 0, []
    for weight in weights[:-1]:
        running += weight
        bounds.append(running * 100 // total)
    return bounds or [100]


def load(connection, *, clients: list[int], agents: list[int], tickets: int = 100_000,
         max_messages: int = 5, analyze: bool = True) -> None:
    """Write ``tickets`` tickets (with customers, messages and events) for these client and agent ids."""
    customers = max(len(clients), tickets // 3)
    after = connection.scalar(sa.text('SELECT coalesce(max(id), 0) FROM tickets'))
    first = connection.scalar(sa.text('SELECT coalesce(max(id), 0) + 1 FROM customers'))
    connection.execute(sa.text(_CUSTOMERS), {'clients': clients, 'bounds': _bounds(len(clients)), 'count': customers})
    connection.execute(sa.text(_TICKETS), {'count': tickets, 'first_customer': first, 'customers': customers,
                                           'agents': agents, 'tags': list(TAGS), 'products': list(PRODUCTS)})
    connection.execute(sa.text(_MESSAGES), {'after': after, 'max_messages': max_messages})
    connection.execute(sa.text(_EVENTS), {'after': after})
    if analyze:
        for table in ('customers', 'tickets', 'messages', 'ticket_events'):
            connection.execute(sa.text(f'ANALYZE {table}'))
