"""Two-factor sign-in: TOTP (RFC 6238, ``pyotp``) with one-time recovery codes, enforceable per role.

Set up in two steps: ``begin_setup`` stores a new secret (encrypted) and returns the
``otpauth://`` URI for the authenticator app; ``enable`` takes a first code, proving the app
has it, switches two-factor on and returns ten recovery codes, shown once (the database
keeps their SHA-256). At sign-in a TOTP code (this 30-second step or the one either side)
or an unused recovery code is the second factor; a TOTP code works once.
``SUPPORT_2FA_REQUIRED_ROLES`` (e.g. ``supervisor,admin``) makes it compulsory: until
such a person has enabled it, every route but their own account's answers 403.
"""
import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..audit.operations import record
from ..core.clock import utcnow
from ..core.config import setting
from ..core.db import Base
from ..core.errors import Conflict, Unauthorized
from ..core.extensions import db
from ..core.i18n import _
from .models import Agent, Role

ISSUER = 'support'
STEP_SECONDS = 30
RECOVERY_CODES = 10


class RecoveryCode(Base):
    __tablename__ = 'recovery_codes'
    __table_args__ = (sa.UniqueConstraint('agent_id', 'code_hash'),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(sa.ForeignKey('agents.id', ondelete='CASCADE'), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    used_at: Mapped[datetime | None]


def required_for(role: Role) -> bool:
    return role.value in setting('SUPPORT_2FA_REQUIRED_ROLES', ())


def begin_setup(agent: Agent) -> str:
    """A new secret for the authenticator (replacing one never confirmed); the ``otpauth://`` URI."""
    if agent.two_factor_enabled:
        raise Conflict(_('Two-factor sign-in is already on; turn it off first to change authenticator.'),
                       code='two_factor_enabled')
    agent.totp_secret = pyotp.random_base32()
    return pyotp.TOTP(agent.totp_secret).provisioning_uri(name=agent.email, issuer_name=setting(
        'SUPPORT_2FA_ISSUER', ISSUER))


def enable(agent: Agent, code: str) -> list[str]:
    """Switch two-factor on with a first code from the app; returns the recovery codes (shown once)."""
    if agent.two_factor_enabled:
        raise Conflict(_('Two-factor sign-in is already on.'), code='two_factor_enabled')
    if not agent.totp_secret:
        raise Conflict(_('Start the set-up first.'), code='two_factor_not_set_up')
    if not _totp_matches(agent, code):
        raise Unauthorized(_('This code is not valid.'), code='otp_invalid')
    agent.totp_enabled_at = utcnow()
    record('two_factor.enabled', target_type='agent', target_id=agent.id)
    return _new_recovery_codes(agent)


def disable(agent: Agent, by_admin: bool = False) -> None:
    """Switch two-factor off (the caller proved who they are, or an admin resets a lost device)."""
    agent.totp_secret, agent.totp_enabled_at, agent.totp_last_step = None, None, None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.agent_id == agent.id))
    record('two_factor.reset' if by_admin else 'two_factor.disabled', target_type='agent', target_id=agent.id)


def regenerate_recovery_codes(agent: Agent) -> list[str]:
    record('two_factor.recovery_codes_replaced', target_type='agent', target_id=agent.id)
    return _new_recovery_codes(agent)


def verify(agent: Agent, code: str | None) -> bool:
    """Whether ``code`` is a valid second factor now (a TOTP code, once, or an unused recovery code)."""
    code = (code or '').strip().replace(' ', '')
    if not code or not code.isascii():
        return False
    if code.isdigit() and len(code) == 6:
        return _totp_matches(agent, code)
    return _use_recovery_code(agent, code)


def _totp_matches(agent: Agent, code: str) -> bool:
    totp = pyotp.TOTP(agent.totp_secret)
    current = int(utcnow().timestamp()) // STEP_SECONDS
    for step in (current - 1, current, current + 1):
        if step > (agent.totp_last_step or 0) and hmac.compare_digest(totp.at(step * STEP_SECONDS).encode(),
                                                                     code.encode()):
            agent.totp_last_step = step
            return True
    return False


def _digest(code: str) -> str:
    return hashlib.sha256(code.lower().replace('-', '').encode()).hexdigest()


def _new_recovery_codes(agent: Agent) -> list[str]:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.agent_id == agent.id))
    codes = [_recovery_code() for _i in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(agent_id=agent.id, code_hash=_digest(code)) for code in codes)
    db.session.flush()
    return codes


def _recovery_code() -> str:
    raw = secrets.token_hex(5)  # 40 bits, tried only through the throttled sign-in
    return f'{raw[:5]}-{raw[5:]}'


def _use_recovery_code(agent: Agent, code: str) -> bool:
    used = db.session.execute(
        sa.update(RecoveryCode).where(RecoveryCode.agent_id == agent.id, RecoveryCode.code_hash == _digest(code),
                                      RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow()).execution_options(synchronize_session=False))
    return used.rowcount == 1


def recovery_codes_left(agent: Agent) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode).where(
        RecoveryCode.agent_id == agent.id, RecoveryCode.used_at.is_(None)))
