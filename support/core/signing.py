"""HMAC signing of ``<timestamp>.<raw body>``, shared by intake and outbound callbacks."""
import hashlib
import hmac
import secrets


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """The ``X-Support-Signature`` value for a body sent at ``timestamp``."""
    message = str(timestamp).encode() + b'.' + body
    return 'sha256=' + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_matches(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """Constant-time comparison of a received signature with the expected one."""
    return hmac.compare_digest(sign(secret, timestamp, body).encode(), (signature or '').encode())


def signature_among(secret: str, timestamp: str, body: bytes, header: str) -> bool:
    """Whether one of the comma-separated signatures of ``header`` is ``secret``'s (how a receiver
    checks our callbacks: during a secret rotation they carry one signature per valid secret)."""
    return any(signature_matches(secret, timestamp, body, part.strip()) for part in (header or '').split(','))


def new_secret(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def new_key_id(prefix: str = 'key') -> str:
    return f'{prefix}_{secrets.token_hex(8)}'


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
