"""Extensions, created unbound and bound to the app in ``create_app``."""
from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from .db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
babel = Babel()
login_manager = LoginManager()
csrf = CSRFProtect()
socketio = SocketIO()


def _no_key() -> str:
    # Limits are applied per route with their own key function; this default is never used.
    return 'global'


limiter = Limiter(key_func=_no_key, default_limits=[], strategy='sliding-window-counter')
