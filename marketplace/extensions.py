"""Flask extensions, created unbound and bound to the app in `create_app`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect
from redis import Redis

from marketplace.database import Base

db = SQLAlchemy(model_class=Base)

if TYPE_CHECKING:
    # Type checkers see the declarative base; at run time models get Flask-SQLAlchemy's class.
    from marketplace.database import Base as Model
else:
    Model = db.Model
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)
talisman = Talisman()


def redis_client() -> Redis:
    """The shared Redis connection pool for REDIS_URL (created on first use per process)."""
    from flask import current_app

    client: Redis | None = current_app.extensions.get("redis")
    if client is None:
        client = Redis.from_url(
            current_app.config["REDIS_URL"], socket_timeout=2, socket_connect_timeout=2
        )
        current_app.extensions["redis"] = client
    return client
