"""Event payloads: small, stable dictionaries documented in the README."""


def ticket_summary(ticket) -> dict:
    return {
        'id': ticket.id, 'number': ticket.number, 'client': ticket.client.slug if ticket.client else None,
        'client_name': ticket.client.name if ticket.client else None,
        'channel': ticket.channel.value, 'language': ticket.language, 'priority': ticket.priority.value,
        'status': ticket.status.value, 'subject': ticket.subject, 'product': ticket.product,
        'customer': {'id': ticket.customer.id, 'name': ticket.customer.name} if ticket.customer else None,
        'assignee_id': ticket.assignee_id, 'created_at': ticket.created_at.isoformat(),
        'updated_at': ticket.updated_at.isoformat(),
        'sla_due_at': ticket.sla_due_at.isoformat() if ticket.sla_due_at else None,
        'sla_warn_at': ticket.sla_warn_at.isoformat() if ticket.sla_warn_at else None,
        'disposition_id': ticket.disposition_id,
        'abandoned_at': ticket.abandoned_at.isoformat() if ticket.abandoned_at else None,
    }
