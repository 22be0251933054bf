"""Write several new rows that refer to each other in ONE statement (PostgreSQL).

``insert_as_one(session, objects, extra)`` renders every pending ORM object as a
data-modifying CTE (``WITH t AS (INSERT ... RETURNING id), m AS (INSERT ... VALUES
((SELECT id FROM t), ...) RETURNING id) SELECT ...``): a foreign key to a row of the
same batch is the ``id`` its CTE returns, PostgreSQL checks the constraints at the end
of the statement. The objects then become persistent in the session with the ids the
statement returned, their loaded attributes and relationships kept, as if the ORM had
flushed them: one round trip instead of one per table.

``extra`` are further inserts in the same statement, given as ``(name, table, rows,
on_conflict_do_nothing)``; a value that is an object of the batch becomes its id; the rows
each inserts are counted and returned by name. Statements are built once per shape (the
tables, columns and references), so SQLAlchemy compiles each shape once.

Only plain single-row inserts are handled; whoever calls it checks the dialect and keeps
the ORM flush for everything else (SQLite has no writing CTE).
"""
import sqlalchemy as sa
from sqlalchemy.orm import make_transient_to_detached

_UNSET = object()


def _value(obj, prop, column):
    value = obj.__dict__.get(prop.key, _UNSET)
    if value is not _UNSET:
        return value
    default = column.default
    if default is None:
        return _UNSET if column.server_default is not None else None
    if default.is_callable:
        return default.arg(None)
    if default.is_scalar:
        return default.arg
    return _UNSET


def _foreign_keys(obj, mapper, pending, refs):
    """``{fk column key: value or id expression}`` from the many-to-one relationships that are set."""
    values = {}
    for rel in mapper.relationships:
        if rel.direction.name != 'MANYTOONE' or rel.key not in obj.__dict__:
            continue
        target = obj.__dict__[rel.key]
        for local, remote in rel.local_remote_pairs:
            key = mapper.get_property_by_column(local).key
            if target is None:
                values[key] = None
            elif target in pending:
                values[key] = refs[id(target)]  # a _Ref: the target comes earlier in the batch
            else:
                values[key] = getattr(target, sa.inspect(target).mapper.get_property_by_column(remote).key)
    return values


_table_order: dict = {}


def _order(objects):
    """Parents before children (the metadata's dependency order, computed once)."""
    metadata = sa.inspect(objects[0]).mapper.class_.metadata
    order = _table_order.get(id(metadata))
    if order is None:
        order = _table_order[id(metadata)] = {table: i for i, table in enumerate(metadata.sorted_tables)}
    return sorted(objects, key=lambda obj: order[sa.inspect(obj).mapper.local_table])


def can_insert(session) -> bool:
    """Whether every pending object of the session is a plain row with an integer ``id`` we can write."""
    if not session.new:
        return False
    for obj in session.new:
        mapper = sa.inspect(obj).mapper
        if mapper.inherits is not None or [c.name for c in mapper.primary_key] != ['id'] or \
                len(mapper.tables) != 1 or 'id' not in mapper.local_table.c:
            return False
    return True


def insert_as_one(session, objects: list, extra=()) -> dict:
    """Insert ``objects`` (pending, single table each, integer ``id`` key) in one statement.

    Returns ``{name: rows inserted}`` for the ``extra`` inserts.
    """
    with session.no_autoflush:  # the ORM must not flush them first
        return _insert_as_one(session, objects, extra)


class _Ref:
    """A foreign key to the n-th row of the batch: the id its CTE returns."""

    __slots__ = ('n',)

    def __init__(self, n: int):
        self.n = n


_statements: dict = {}  # shape -> statement: the same shape compiles once (SQLAlchemy's cache hits)


def _insert_as_one(session, objects: list, extra) -> dict:
    objects = _order(objects)
    pending = set(objects)
    refs, rows, written = {}, [], []
    for n, obj in enumerate(objects):
        mapper = sa.inspect(obj).mapper
        values, unset = {}, []
        for prop in mapper.column_attrs:
            column = prop.columns[0]
            if column.primary_key and column.autoincrement and obj.__dict__.get(prop.key) is None:
                continue
            value = _value(obj, prop, column)
            if value is _UNSET:
                unset.append(prop.key)
            else:
                values[column.name] = value
        for key, value in _foreign_keys(obj, mapper, pending, refs).items():
            values[mapper.attrs[key].columns[0].name] = value
        refs[id(obj)] = _Ref(n)
        rows.append((mapper.local_table, values))
        written.append((obj, mapper, values, unset))
    extra_rows = [(name, table, [{k: _resolve(v, pending, refs) for k, v in row.items()} for row in extra_values],
                   do_nothing) for name, table, extra_values, do_nothing in extra]
    statement, params = _statement(rows, extra_rows)
    row = session.execute(statement, params).one()
    for (obj, _mapper, _values, _unset), new_id in zip(written, row):
        obj.__dict__['id'] = new_id  # set before the foreign keys below read it
    _make_persistent(session, written)
    return {name: count for (name, *_rest), count in zip(extra_rows, row[len(rows):])}


def _resolve(value, pending, refs):
    if value is None or not hasattr(value, '_sa_instance_state'):
        return value
    return refs[id(value)] if value in pending else value.id


def _shape(rows, extra_rows) -> tuple:
    def columns(values):
        return tuple((name, value.n if isinstance(value, _Ref) else None) for name, value in values.items())
    return (tuple((table.name, columns(values)) for table, values in rows),
            tuple((name, table.name, tuple(columns(r) for r in extra_values), do_nothing)
                  for name, table, extra_values, do_nothing in extra_rows))


def _statement(rows, extra_rows):
    """The statement for this shape (built once) and its parameters."""
    params = {}
    for n, (_table, values) in enumerate(rows):
        params.update({f'w{n}_{name}': value for name, value in values.items() if not isinstance(value, _Ref)})
    for name, _table, extra_values, _do_nothing in extra_rows:
        for i, values in enumerate(extra_values):
            params.update({f'{name}{i}_{col}': value for col, value in values.items() if not isinstance(value, _Ref)})
    shape = _shape(rows, extra_rows)
    statement = _statements.get(shape)
    if statement is None:
        statement = _build(rows, extra_rows)
        if len(_statements) > 500:
            _statements.clear()
        _statements[shape] = statement
    return statement, params


def _build(rows, extra_rows):
    ctes = []

    def bound(prefix, table, values):
        return {name: (sa.select(ctes[value.n].c.id).scalar_subquery() if isinstance(value, _Ref)
                       else sa.bindparam(f'{prefix}_{name}', type_=table.c[name].type))
                for name, value in values.items()}
    for n, (table, values) in enumerate(rows):
        ctes.append(sa.insert(table).values(**bound(f'w{n}', table, values)).returning(table.c.id).cte(f'w{n}'))
    columns = [sa.select(cte.c.id).scalar_subquery() for cte in ctes]
    for name, table, extra_values, do_nothing in extra_rows:
        # one single-row INSERT per row: SQLAlchemy cannot cache the compiled form of a
        # multi-row VALUES, and compiling this statement again on every intake costs more
        # than the whole round trip it saves
        counts = []
        for i, values in enumerate(extra_values):
            insert = _insert_for(table, do_nothing).values(**bound(f'{name}{i}', table, values))
            if do_nothing:
                insert = insert.on_conflict_do_nothing()
            cte = insert.returning(table.c.id).cte(f'{name}{i}')
            counts.append(sa.select(sa.func.count()).select_from(cte).scalar_subquery())
        columns.append(sum(counts[1:], counts[0]) if counts else sa.literal(0))
    return sa.select(*columns)


def _insert_for(table, do_nothing: bool):
    if do_nothing:
        from sqlalchemy.dialects.postgresql import insert
        return insert(table)
    return sa.insert(table)


def _make_persistent(session, written) -> None:
    """The rows are in the database: turn the pending objects into persistent ones, loaded as written."""
    for obj, _mapper, _values, _unset in written:
        if obj in session:  # expunging one may have cascaded to others
            session.expunge(obj)
    for obj, mapper, values, unset in written:
        for prop in mapper.column_attrs:
            column = prop.columns[0]
            if prop.key in unset:
                continue
            if column.name in values and not isinstance(values[column.name], _Ref):
                value = values[column.name]
            else:
                value = _resolved_foreign_key(obj, mapper, prop)
            obj.__dict__[prop.key] = value
        make_transient_to_detached(obj)
    for obj, _mapper, _values, _unset in written:
        session.add(obj)
    for obj, mapper, _values, unset in written:
        for key in unset:
            sa.inspect(obj).expire_attributes(sa.inspect(obj).dict, [key])


def _resolved_foreign_key(obj, mapper, prop):
    """The value of a column filled from a row of the same batch (now that it has its id)."""
    if prop.columns[0].primary_key:
        return obj.__dict__['id']
    for rel in mapper.relationships:
        for local, remote in rel.local_remote_pairs:
            if local is prop.columns[0] and rel.key in obj.__dict__ and obj.__dict__[rel.key] is not None:
                target = obj.__dict__[rel.key]
                return getattr(target, sa.inspect(target).mapper.get_property_by_column(remote).key)
    return obj.__dict__.get(prop.key)

