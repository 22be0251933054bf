"""SQL pieces that read the same on SQLite and PostgreSQL: whole epoch seconds, least/greatest.

Every duration a report sums or ranks is a difference of whole epoch seconds (each instant
floored to its second), so both backends add and rank the same integers.
"""
import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement


class epoch(FunctionElement):
    """Whole seconds since 1970-01-01 UTC of a UTC timestamp column (floored)."""
    type = sa.BigInteger()
    inherit_cache = True
    name = 'epoch'


@compiles(epoch)
def _epoch_default(element, compiler, **kw):
    return 'CAST(FLOOR(EXTRACT(EPOCH FROM %s)) AS BIGINT)' % compiler.process(element.clauses, **kw)


@compiles(epoch, 'sqlite')
def _epoch_sqlite(element, compiler, **kw):
    return "CAST(strftime('%%s', %s) AS INTEGER)" % compiler.process(element.clauses, **kw)


class least(FunctionElement):
    type = sa.BigInteger()
    inherit_cache = True
    name = 'least'


class greatest(FunctionElement):
    type = sa.BigInteger()
    inherit_cache = True
    name = 'greatest'


@compiles(least)
def _least(element, compiler, **kw):
    return 'LEAST(%s)' % compiler.process(element.clauses, **kw)


@compiles(least, 'sqlite')
def _least_sqlite(element, compiler, **kw):
    return 'MIN(%s)' % compiler.process(element.clauses, **kw)


@compiles(greatest)
def _greatest(element, compiler, **kw):
    return 'GREATEST(%s)' % compiler.process(element.clauses, **kw)


@compiles(greatest, 'sqlite')
def _greatest_sqlite(element, compiler, **kw):
    return 'MAX(%s)' % compiler.process(element.clauses, **kw)
