"""Pasar OPOP: the marketplace for One Pesantren One Product goods of Kota Mojokerto."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from config import CONFIGS, Config

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(
    config: str | type[Config] | None = None, overrides: dict[str, Any] | None = None
) -> Flask:
    """Build the application for a configuration name or class."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(PROJECT_ROOT / "instance"),
        instance_relative_config=True,
    )
    load_config(app, config, overrides)
    register_extensions(app)
    register_blueprints(app)
    register_request_handling(app)
    register_commands(app)
    return app


def load_config(
    app: Flask, config: str | type[Config] | None, overrides: dict[str, Any] | None
) -> None:
    import os

    if config is None:
        config = os.environ.get("MARKETPLACE_CONFIG", "development")
    config_class = CONFIGS[config] if isinstance(config, str) else config
    app.config.from_object(config_class)
    app.config.update(overrides or {})
    if app.config["ENV_NAME"] == "production":
        refuse_unsafe_production(app)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        database = Path(app.instance_path) / app.config["SQLITE_FILENAME"]
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{database}"
    app.config.setdefault(
        "BABEL_TRANSLATION_DIRECTORIES", str(Path(app.root_path) / "translations")
    )
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        connect_args = dict(options.get("connect_args", {}))
        connect_args.setdefault("timeout", app.config["SQLITE_BUSY_TIMEOUT_SECONDS"])
        options["connect_args"] = connect_args
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgres"):
        # Which words of the catalogue a misspelt word is weighed against (pg_trgm's `%`). No JIT:
        # the catalogue's short queries spent longer compiling than running. A random page
        # read costed near a sequential one, as for data in memory or on SSD: at the default
        # (4) a word matching a tenth of the catalogue was read by a sequential scan that took
        # three times as long as the index's bitmap (bench/catalogue.py).
        options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        connect_args = dict(options.get("connect_args", {}))
        threshold = app.config["SEARCH_TYPO_THRESHOLD"]
        connect_args["options"] = (
            f"-c pg_trgm.similarity_threshold={threshold} -c jit=off -c random_page_cost=1.1"
        )
        options["connect_args"] = connect_args
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def refuse_unsafe_production(app: Flask) -> None:
    """Stop with every unsafe setting listed (marketplace/production.py); then answer only for
    the trusted hosts."""
    from marketplace import production
    from marketplace.errors import ConfigurationError

    problems = production.problems(app.config)
    if problems:
        raise ConfigurationError(
            "Production refuses to start:\n" + "\n".join(f"- {line}" for line in problems)
        )
    app.config["TRUSTED_HOSTS"] = production.trusted_hosts(app.config)


def register_extensions(app: Flask) -> None:
    from marketplace import uploads
    from marketplace.accounts import passwords
    from marketplace.accounts.sessions import load_user
    from marketplace.extensions import babel, csrf, db, limiter, login_manager, migrate, talisman
    from marketplace.i18n import select_locale
    from marketplace.mail import init_mail
    from marketplace.storage import init_storage

    passwords.configure(app)
    uploads.configure(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    # The check runs as the last request hook (errors.check_csrf), after the route's policy, so
    # that a form whose page expired can be shown again to whom may use it.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)

    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Silakan masuk untuk melanjutkan.")

    limiter.init_app(app)

    talisman.init_app(
        app,
        force_https=app.config["FORCE_HTTPS"],
        strict_transport_security=app.config["HSTS_ENABLED"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        content_security_policy=content_security_policy(app),
        permissions_policy={"geolocation": "()", "camera": "()", "microphone": "()"},
    )
    init_mail(app)
    init_storage(app)
    from marketplace.jobs import init_jobs

    init_jobs(app)

    if app.config["PROXY_FIX_X_FOR"] or app.config["PROXY_FIX_X_PROTO"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app,
            x_for=app.config["PROXY_FIX_X_FOR"],
            x_proto=app.config["PROXY_FIX_X_PROTO"],
        )


def content_security_policy(app: Flask) -> dict[str, str | list[str]]:
    """No inline scripts or styles, nothing loaded from other hosts.

    Forms post only to this site, except that with card payments configured the "pay" form's
    redirect goes on to Stripe's hosted payment page (browsers apply form-action to it).
    """
    form_action: str | list[str] = "'self'"
    if app.config.get("STRIPE_SECRET_KEY") and app.config.get("STRIPE_CHECKOUT_ORIGIN"):
        form_action = ["'self'", app.config["STRIPE_CHECKOUT_ORIGIN"]]
    return {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": ["'self'", "data:"],
        "font-src": "'self'",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": form_action,
        "frame-ancestors": "'none'",
    }


def register_privacy_receivers() -> None:
    """Each domain answers for its own personal data (accounts.privacy's signals)."""
    import marketplace.cooperatives.privacy
    import marketplace.messages.privacy
    import marketplace.orders.privacy
    import marketplace.reviews.privacy  # noqa: F401


def register_blueprints(app: Flask) -> None:
    register_privacy_receivers()
    from marketplace.accounts import bp as accounts_bp
    from marketplace.admin import agency_invitations_bp
    from marketplace.admin import bp as admin_bp
    from marketplace.cart import bp as cart_bp
    from marketplace.catalogue import bp as catalogue_bp
    from marketplace.catalogue.api import bp as api_bp
    from marketplace.complaints import bp as complaints_bp
    from marketplace.messages import bp as messages_bp
    from marketplace.notifications import bp as notifications_bp
    from marketplace.orders import bp as orders_bp
    from marketplace.payments import bp as payments_bp
    from marketplace.procurement import bp as procurement_bp
    from marketplace.procurement import verify_bp
    from marketplace.regions import bp as regions_bp
    from marketplace.reviews import bp as reviews_bp
    from marketplace.site import bp as site_bp
    from marketplace.vendors import bp as vendors_bp
    from marketplace.vendors import invitations_bp

    app.register_blueprint(site_bp)
    app.register_blueprint(regions_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(catalogue_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(cart_bp)
    app.register_blueprint(orders_bp)
    app.register_blueprint(reviews_bp)
    app.register_blueprint(messages_bp)
    app.register_blueprint(complaints_bp)
    app.register_blueprint(vendors_bp)
    app.register_blueprint(invitations_bp)
    app.register_blueprint(procurement_bp)
    app.register_blueprint(verify_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(agency_invitations_bp)
    app.register_blueprint(payments_bp)


def register_request_handling(app: Flask) -> None:
    from flask import Response

    from marketplace.errors import register_error_handlers
    from marketplace.extensions import db
    from marketplace.i18n import register_i18n
    from marketplace.jobs import discard_after_commit, dispatch_after_commit
    from marketplace.mail import dispatch_queued
    from marketplace.observability import init_observability
    from marketplace.policy import register_policy_enforcement
    from marketplace.urls import absolute_url

    init_observability(app)
    register_policy_enforcement(app)
    register_error_handlers(app)
    register_i18n(app)
    app.add_template_global(absolute_url)

    @app.after_request
    def finish_unit_of_work(response: Response) -> Response:
        # Services flush; the request commits once, only when it succeeded. Emails queued in
        # the transaction, and jobs asked for after the commit (card refunds), go out after it.
        if response.status_code < 400:
            db.session.commit()
            dispatch_queued()
            dispatch_after_commit()
        else:
            db.session.rollback()
            discard_after_commit()
        return response


def register_commands(app: Flask) -> None:
    from marketplace.cli import register_cli

    register_cli(app)
