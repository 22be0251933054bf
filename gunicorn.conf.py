"""``gunicorn -c gunicorn.conf.py wsgi:app`` from a checkout: the settings are support/gunicorn_conf.py."""
from support.gunicorn_conf import *  # noqa: F401,F403
