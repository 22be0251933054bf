"""Imports every model module so SQLAlchemy (and Alembic) see the whole schema."""


def import_all():
    from .agents import models as _agents  # noqa: F401
    from .clients import models as _clients  # noqa: F401
    from .core import idempotency as _idempotency  # noqa: F401
    from .sites import models as _sites  # noqa: F401
    from .tickets import models as _tickets  # noqa: F401
