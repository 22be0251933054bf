"""Ceilings for the benchmarks (the intake path, a list), served only when ``SUPPORT_BENCH=1``.

``POST /api/v1/bench/insert`` validates a small JSON body with marshmallow and
inserts one row: the least a request that writes can cost on this stack.
``bench/ingest.py`` compares the real intake with it. ``GET /api/v1/bench/rows`` reads 50
rows by primary key and dumps them: the least a list request costs (``bench/listing.py``).
"""
import uuid

import sqlalchemy as sa
from flask import Blueprint, jsonify, request
from marshmallow import fields, validate

from .access import mark_access
from .extensions import db
from .idempotency import IdempotencyKey
from .schemas import Schema

blp = Blueprint('bench', __name__)


class _MinimalSchema(Schema):
    subject = fields.String(required=True, validate=validate.Length(max=300))
    body = fields.String(required=True)


def _insert():
    data = _MinimalSchema().load(request.get_json())
    db.session.add(IdempotencyKey(scope='bench', key=uuid.uuid4().hex, request_hash=data['subject'][:64]))
    db.session.commit()
    return jsonify({'ok': True}), 201


blp.add_url_rule('/api/v1/bench/insert', 'insert', mark_access(_insert, 'bench-only'), methods=['POST'])


def _rows():
    """The ceiling for a list: 50 rows by primary key (no access check), dumped as JSON (bench/listing.py)."""
    rows = db.session.execute(sa.text('SELECT id, subject, status, created_at FROM tickets ORDER BY id DESC LIMIT 50'))
    return jsonify({'items': [{'id': r.id, 'subject': r.subject, 'status': r.status,
                               'created_at': r.created_at.isoformat()} for r in rows]})


blp.add_url_rule('/api/v1/bench/rows', 'rows', mark_access(_rows, 'bench-only'), methods=['GET'])
