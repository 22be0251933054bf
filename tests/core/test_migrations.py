"""The schema is built by migrations, and the migrations match the models."""
import os

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from support import create_app
from support.core.extensions import db
from support.tickets.search_index import include_name, include_object

from ..conftest import PG_URL, app_config


def _scratch_urls(tmp_path):
    urls = [('sqlite', 'sqlite:///' + os.path.join(tmp_path, 'migrated.sqlite'))]
    if PG_URL:
        scratch = PG_URL.rsplit('/', 1)[1] + '_migrations'  # beside the test database: suites side by side never meet
        admin = sa.create_engine(PG_URL.replace('postgresql://', 'postgresql+psycopg://'),
                                 isolation_level='AUTOCOMMIT')
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{scratch}"'))
        admin.dispose()
        urls.append(('postgresql', PG_URL.rsplit('/', 1)[0] + '/' + scratch))
    return urls


def _significant(diffs):
    # SQLite cannot tell a JSON column from the generic type it stores; ignore type-only noise there.
    return [d for d in diffs if not (isinstance(d, list) and d and d[0][0] == 'modify_type')]


def test_migrations_build_the_schema_the_models_describe(tmp_path):
    for backend, url in _scratch_urls(str(tmp_path)):
        app = create_app(app_config(backend, SQLALCHEMY_DATABASE_URI=url))
        with app.app_context():
            upgrade(revision='heads')
            with db.engine.connect() as conn:
                diffs = compare_metadata(MigrationContext.configure(conn, opts={
                    'compare_type': False, 'include_object': include_object, 'include_name': include_name}),
                                         db.metadata)
            assert _significant(diffs) == [], backend
            downgrade(revision='base')
            assert sa.inspect(db.engine).get_table_names() == ['alembic_version'], backend
            db.engine.dispose()


def test_there_is_one_head():
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    config = Config()
    config.set_main_option('script_location', os.path.join(os.path.dirname(__file__), '..', '..', 'support',
                                                           'migrations'))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, heads
