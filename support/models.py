"""Imports every model module so SQLAlchemy (and Alembic) see the whole schema."""


def import_all():
    from .agents import models as _agents  # noqa: F401
    from .agents import presence as _presence  # noqa: F401
    from .agents import presence_history as _presence_history  # noqa: F401
    from .agents import throttle as _throttle  # noqa: F401
    from .agents import tokens as _tokens  # noqa: F401
    from .agents import twofactor as _twofactor  # noqa: F401
    from .audit import models as _audit  # noqa: F401
    from .calendars import models as _calendars  # noqa: F401
    from .channels import models as _channels  # noqa: F401
    from .clients import models as _clients  # noqa: F401
    from .clients import webhook_models as _webhooks  # noqa: F401
    from .console import models as _console  # noqa: F401
    from .core import idempotency as _idempotency  # noqa: F401
    from .csat import models as _csat  # noqa: F401
    from .core import replay as _replay  # noqa: F401
    from .lab import models as _lab  # noqa: F401
    from .macros import models as _macros  # noqa: F401
    from .outbound import models as _outbound  # noqa: F401
    from .reports import models as _report_indexes  # noqa: F401
    from .reports.monthly import models as _report_files  # noqa: F401
    from .routing import models as _routing  # noqa: F401
    from .sites import models as _sites  # noqa: F401
    from .sla import models as _sla  # noqa: F401
    from .tickets import models as _tickets  # noqa: F401
    from .tickets import dispositions as _dispositions  # noqa: F401
    from .tickets import fields as _fields  # noqa: F401
    from .wrapup import models as _wrapup  # noqa: F401
