"""A production configuration that starts: the settings marketplace/production.py requires,
given as overrides (config.py reads the environment once, at import)."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Flask

from marketplace import create_app

#: The site's public address in these apps.
PRODUCTION_SITE = "https://pasar-opop.example"

PRODUCTION_SETTINGS: dict[str, Any] = {
    "SECRET_KEY": secrets.token_hex(32),
    "SQLALCHEMY_DATABASE_URI": "sqlite://",
    "SERVER_BASE_URL": PRODUCTION_SITE,
    "MAIL_BACKEND": "smtp",
    "MAIL_SERVER": "smtp.pasar-opop.example",
    # Whatever the machine's environment says: derived from SERVER_BASE_URL.
    "TRUSTED_HOSTS": None,
}


def production_app(**overrides: Any) -> Flask:
    """The production app with these settings changed."""
    return create_app("production", {**PRODUCTION_SETTINGS, **overrides})
