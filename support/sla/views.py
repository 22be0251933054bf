"""What live events and client callbacks say about a clock: a small, stable document."""


def _iso(value):
    return value.isoformat() if value is not None else None


def clock_entry(clock, policy=None) -> dict:
    return {'id': clock.id, 'metric': clock.metric.value, 'sequence': clock.sequence,
            'policy': {'id': clock.policy_id, 'name': policy.name if policy else None},
            'target_seconds': clock.target_seconds, 'status': clock.status.value,
            'started_at': _iso(clock.started_at), 'due_at': _iso(clock.due_at), 'warn_at': _iso(clock.warn_at),
            'warned_at': _iso(clock.warned_at), 'breached_at': _iso(clock.breached_at),
            'stopped_at': _iso(clock.stopped_at)}
