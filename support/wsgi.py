"""What servers import from an install: ``gunicorn support.wsgi:app``."""
from . import create_app

app = create_app()
