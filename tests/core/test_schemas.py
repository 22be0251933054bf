"""Schema plumbing shared by every endpoint."""
from marshmallow import fields

from support.core.schemas import Schema, _FitsIntegerColumn


class _Args(Schema):
    limit = fields.Integer()
    ids = fields.List(fields.Integer())


def test_integer_bounds_are_added_once_however_many_requests():
    """Each request instantiates its argument schema; the bound used to be appended to the shared
    validators every time, so each load ran one more validator than the last."""
    for _ in range(50):
        schema = _Args()
    for field in (schema.fields['limit'], schema.fields['ids'].inner):
        assert sum(isinstance(v, _FitsIntegerColumn) for v in field.validators) == 1
    assert 'limit' in _errors(schema, {'limit': 2 ** 31}) and 'ids' in _errors(schema, {'ids': [2 ** 40]})


def _errors(schema, data):
    return schema.validate(data)
