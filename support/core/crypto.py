"""Secrets at rest: columns encrypted with keys from ``SUPPORT_ENCRYPTION_KEYS``.

``SUPPORT_ENCRYPTION_KEYS`` is a comma-separated list of Fernet keys (``flask support
new-encryption-key`` prints one). The first key encrypts; any key decrypts, so a new key
goes first, ``flask support reencrypt`` rewrites every secret with it, and the old key is
dropped afterwards. Without the setting, a key is derived from ``SECRET_KEY`` (fine for a
demo; production sets its own keys, kept apart from the database and its backups).

A model marks a column ``mapped_column(Encrypted())``: the application reads and writes
plain text, the database only ever holds Fernet tokens (AES-128-CBC + HMAC-SHA256,
timestamped, a fresh IV each time so equal secrets do not look equal).
"""
import base64
import functools
import hashlib
import os

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class SecretUnreadable(RuntimeError):
    """A stored secret none of the configured keys can decrypt (a key was dropped too early)."""


def _configured_keys() -> str:
    from flask import current_app, has_app_context
    config = current_app.config if has_app_context() else {}
    keys = config.get('SUPPORT_ENCRYPTION_KEYS') or os.environ.get('SUPPORT_ENCRYPTION_KEYS')
    if keys:
        return keys
    secret = config.get('SECRET_KEY') or os.environ.get('SUPPORT_SECRET_KEY') or 'dev-insecure-change-me'
    return derived_key(secret)


def derived_key(secret: str) -> str:
    """The Fernet key used when no ``SUPPORT_ENCRYPTION_KEYS`` are set."""
    digest = hashlib.sha256(b'support.encryption-key:' + secret.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


@functools.lru_cache(maxsize=8)
def _keyring(keys: str) -> MultiFernet:
    return MultiFernet([Fernet(key.strip().encode()) for key in keys.split(',') if key.strip()])


def keyring() -> MultiFernet:
    return _keyring(_configured_keys())


def encrypt(plain: str) -> str:
    return keyring().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return keyring().decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable('a stored secret cannot be decrypted with SUPPORT_ENCRYPTION_KEYS') from None


def new_key() -> str:
    return Fernet.generate_key().decode()


class Encrypted(sa.types.TypeDecorator):
    """A text column whose value is stored encrypted (see the module docstring)."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else encrypt(value)

    def process_result_value(self, value, dialect):
        return None if value is None else decrypt(value)


def encrypted_columns(metadata: sa.MetaData) -> list[tuple[sa.Table, sa.Column]]:
    return [(table, column) for table in metadata.sorted_tables for column in table.columns
            if isinstance(column.type, Encrypted)]


def reencrypt(connection, metadata: sa.MetaData) -> dict[str, int]:
    """Rewrite every encrypted value with the first key (``MultiFernet.rotate``); counts per column."""
    ring, counts = keyring(), {}
    for table, column in encrypted_columns(metadata):
        raw = sa.table(table.name, *(sa.column(c.name) for c in table.primary_key.columns), sa.column(column.name))
        key_names = [c.name for c in table.primary_key.columns]
        rows = connection.execute(sa.select(raw).where(raw.c[column.name].is_not(None))).all()
        for row in rows:
            try:
                token = ring.rotate(row._mapping[column.name].encode()).decode()
            except InvalidToken:
                raise SecretUnreadable(f'{table.name}.{column.name} holds a value no key can decrypt') from None
            match = sa.and_(*(raw.c[name] == row._mapping[name] for name in key_names))
            connection.execute(sa.update(raw).where(match).values({column.name: token}))
        counts[f'{table.name}.{column.name}'] = len(rows)
    return counts
