"""macros: canned answers grow into macros (texts in English and Spanish, placeholders, actions)

Revision ID: 0019_macros
Revises: 0016_report_indexes

Data: every canned answer becomes the text in its language of the macro with its client and
title (an English and a Spanish answer with the same title become one macro with both texts).
The old placeholders ``{customer}`` and ``{agent}`` become ``{{ customer.name }}`` and
``{{ agent.name }}``; any other brace in an old text is kept literal (``{{ '...' }}``), so every
migrated text renders as it did. Then ``canned_answers`` is dropped. Downgrade writes one
canned answer per macro text back (actions are lost) and drops ``macros``.
"""
import ast
import re

from alembic import op
import sqlalchemy as sa

revision = '0019_macros'
down_revision = '0016_report_indexes'
branch_labels = None
depends_on = None

GLOBAL = sa.text('client_id IS NULL')
OLD_PLACEHOLDERS = {'{customer}': '{{ customer.name }}', '{agent}': '{{ agent.name }}'}
_OLD = re.compile(r'(\{customer\}|\{agent\})')
_LITERAL = re.compile(r"""\{\{ ('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*") \}\}""")


def upgrade():
    op.create_table(
        'macros',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=True),
        sa.Column('title', sa.String(length=120), nullable=False),
        sa.Column('body_en', sa.Text(), nullable=False),
        sa.Column('body_es', sa.Text(), nullable=False),
        sa.Column('kind', sa.Enum('reply', 'note', name='macrokind', native_enum=False, length=16), nullable=False),
        sa.Column('set_status', sa.Enum('new', 'open', 'pending', 'resolved', 'closed', name='status',
                                        native_enum=False, length=16), nullable=True),
        sa.Column('set_priority', sa.Enum('low', 'normal', 'high', 'urgent', name='priority', native_enum=False,
                                          length=16), nullable=True),
        sa.Column('add_tags', sa.JSON(), nullable=False),
        sa.Column('remove_tags', sa.JSON(), nullable=False),
        sa.Column('queue_id', sa.Integer(), nullable=True),
        sa.Column('set_fields', sa.JSON(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_macros_client_id_clients'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_id'], ['agents.id'], name=op.f('fk_macros_created_by_id_agents'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['queue_id'], ['queues.id'], name=op.f('fk_macros_queue_id_queues'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_macros')),
        sa.UniqueConstraint('client_id', 'title', name=op.f('uq_macros_client_id_title')),
    )
    op.create_index(op.f('ix_macros_client_id'), 'macros', ['client_id'], unique=False)
    op.create_index('uq_macros_global_title', 'macros', ['title'], unique=True,
                    postgresql_where=GLOBAL, sqlite_where=GLOBAL)
    _copy_canned_answers()
    op.drop_index(op.f('ix_canned_answers_client_id'), table_name='canned_answers')
    op.drop_index('ix_canned_answers_language', table_name='canned_answers')
    op.drop_table('canned_answers')


def _template(body: str) -> str:
    parts = []
    for part in _OLD.split(body):
        if part in OLD_PLACEHOLDERS:
            parts.append(OLD_PLACEHOLDERS[part])
        elif '{' in part:
            parts.append('{{ %r }}' % part)
        else:
            parts.append(part)
    return ''.join(parts)


def _canned(template: str) -> str:
    text = _LITERAL.sub(lambda m: ast.literal_eval(m.group(1)), template)
    for old, new in OLD_PLACEHOLDERS.items():
        text = text.replace(new, old)
    return text


def _copy_canned_answers():
    conn = op.get_bind()
    rows = conn.execute(sa.text('SELECT client_id, language, title, body, created_at, updated_at '
                                'FROM canned_answers ORDER BY id')).mappings().all()
    macros = {}  # (client_id, title) -> row
    for row in rows:
        title, n = row['title'], 1
        while (row['client_id'], title) in macros and macros[(row['client_id'], title)][f"body_{row['language']}"]:
            n += 1  # only answers for every client could repeat a title in one language (NULLs never collide)
            title = f"{row['title'][:110]} ({n})"
        macro = macros.setdefault((row['client_id'], title), {
            'client_id': row['client_id'], 'title': title, 'body_en': '', 'body_es': '', 'kind': 'reply',
            'add_tags': [], 'remove_tags': [], 'set_fields': {}, 'created_at': row['created_at'],
            'updated_at': row['updated_at']})
        macro[f"body_{row['language'] if row['language'] in ('en', 'es') else 'en'}"] = _template(row['body'])
        macro['created_at'] = min(macro['created_at'], row['created_at'])
        macro['updated_at'] = max(macro['updated_at'], row['updated_at'])
    if macros:
        table = sa.table('macros', sa.column('client_id'), sa.column('title'), sa.column('body_en'),
                         sa.column('body_es'), sa.column('kind'), sa.column('add_tags', sa.JSON),
                         sa.column('remove_tags', sa.JSON), sa.column('set_fields', sa.JSON),
                         sa.column('created_at'), sa.column('updated_at'))
        op.bulk_insert(table, list(macros.values()))


def downgrade():
    op.create_table(
        'canned_answers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=True),
        sa.Column('language', sa.String(length=2), nullable=False),
        sa.Column('title', sa.String(length=120), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_canned_answers_client_id_clients'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_canned_answers')),
        sa.UniqueConstraint('client_id', 'language', 'title', name=op.f('uq_canned_answers_client_id_language_title')),
    )
    op.create_index('ix_canned_answers_language', 'canned_answers', ['language'], unique=False)
    op.create_index(op.f('ix_canned_answers_client_id'), 'canned_answers', ['client_id'], unique=False)
    conn = op.get_bind()
    answers = []
    for row in conn.execute(sa.text('SELECT client_id, title, body_en, body_es, created_at, updated_at '
                                    'FROM macros ORDER BY id')).mappings():
        for language in ('en', 'es'):
            if row[f'body_{language}']:
                answers.append({'client_id': row['client_id'], 'language': language, 'title': row['title'],
                                'body': _canned(row[f'body_{language}']), 'created_at': row['created_at'],
                                'updated_at': row['updated_at']})
    if answers:
        op.bulk_insert(sa.table('canned_answers', *(sa.column(name) for name in answers[0])), answers)
    op.drop_index('uq_macros_global_title', table_name='macros')
    op.drop_index(op.f('ix_macros_client_id'), table_name='macros')
    op.drop_table('macros')
