"""What servers import: ``gunicorn wsgi:app`` or ``flask --app wsgi``."""
from support import create_app

app = create_app()
