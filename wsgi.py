"""What servers import from a checkout: ``gunicorn wsgi:app`` or ``flask --app wsgi``."""
from support.wsgi import app  # noqa: F401
