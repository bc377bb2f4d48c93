"""Flask extensions, created unbound and initialised in ``create_app``."""

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf import CSRFProtect

from riskctl.core.db import db

migrate = Migrate(compare_type=True, render_as_batch=True)
login_manager = LoginManager()
csrf = CSRFProtect()

__all__ = ["csrf", "db", "login_manager", "migrate"]
