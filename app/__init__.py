"""社区五单: the Flask application factory."""
import logging
import os
from pathlib import Path

from flask import Flask, g, request

from app.config import CONFIGS, DEFAULT_SECRET, INSTANCE_DIR, ProductionConfig
from app.extensions import api, db, limiter, migrate


def create_app(config: str | type | None = None, **overrides) -> Flask:
    """Build the app for an APP_ENV name or a config class, with optional overrides."""
    app = Flask(__name__, instance_path=str(INSTANCE_DIR), static_folder=None)
    config_class = CONFIGS[config or os.environ.get("APP_ENV", "development")] if not isinstance(config, type) \
        else config
    app.config.from_object(config_class)
    app.config.update(overrides)
    production = app.config["APP_ENV"] == "production"
    if production:
        ProductionConfig.validate(app.config)
    # Dev-mode login is a consequence, not a setting: on exactly when no WeChat app is configured outside
    # production, which is also when app.wechat picks its DevGateway.
    app.config["DEV_LOGIN"] = not app.config.get("WECHAT_APP_ID") and not production
    if app.config.get("SECRET_KEY") == DEFAULT_SECRET and not app.config["DEV_LOGIN"]:
        # The built-in secret is public (it is in this repository): anyone could sign an admin's token with it.
        raise RuntimeError("Refusing to start: the built-in SECRET_KEY only goes with dev-mode login; "
                           "set SECRET_KEY to a random value of at least 32 characters")
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    configure_logging()
    trust_proxies(app)
    register_extensions(app)
    register_blueprints(app)
    register_request_hooks(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def configure_logging() -> None:
    """Log to stderr at INFO unless the host process (gunicorn, pytest) configured logging already; the
    development server's request lines go through the same redaction as gunicorn's access log."""
    from app.accesslog import RedactingFilter

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    werkzeug_log = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactingFilter) for f in werkzeug_log.filters):
        werkzeug_log.addFilter(RedactingFilter())


def trust_proxies(app: Flask) -> None:
    """Take the client's address (and scheme) from the TRUSTED_PROXY_HOPS proxies in front, and only from them.

    werkzeug's ProxyFix reads X-Forwarded-For from the right: the entry the nearest proxy appended is
    the address it saw. With N hops the N-th entry from the right is the client; anything further left was
    sent by the client itself and is ignored, and a header with fewer entries than N is ignored whole."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    hops = int(app.config.get("TRUSTED_PROXY_HOPS") or 0)
    if hops < 0:
        raise RuntimeError("TRUSTED_PROXY_HOPS must be 0 or more")
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def register_extensions(app: Flask) -> None:
    from app import database, wechat

    db.init_app(app)
    database.init_app(app)  # the engines' settings; a request's reads without a transaction
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    limiter.init_app(app)
    api.init_app(app)
    wechat.init_app(app)


def register_blueprints(app: Flask) -> None:
    from app import console, docs
    from app.schema import IdConverter

    app.url_map.converters["int"] = IdConverter  # before any rule is added
    from app.areas.routes import blp as areas
    from app.auth.routes import blp as auth
    from app.health import blp as health
    from app.users.routes import blp as users

    for blueprint in (health, auth, users, areas, *domain_blueprints()):
        api.register_blueprint(blueprint, url_prefix="/api/v1")
    docs.init_app(app)
    console.init_app(app)  # the staff web console at /console/


def domain_blueprints() -> list:
    from app.attachments.routes import blp as attachments
    from app.calls.routes import blp as calls
    from app.care.routes import blp as care
    from app.dispatch.routes import blp as dispatch
    from app.categories.routes import blp as categories
    from app.notifications.routes import blp as messages
    from app.offerings.routes import blp as offerings
    from app.orders.routes import blp as orders
    from app.party.routes import blp as party
    from app.points.routes import blp as points
    from app.privacy.routes import blp as privacy
    from app.records.routes import blp as records
    from app.rewards.routes import blp as rewards
    from app.stats.routes import blp as stats
    from app.teams.routes import blp as teams

    return [categories, teams, offerings, orders, attachments, stats, calls, party, messages, points, records,
            rewards, privacy, care, dispatch]


def register_request_hooks(app: Flask) -> None:
    from app.errors import PayloadTooLarge, app_error_response, request_id

    @app.before_request
    def refuse_large_bodies():
        """413 from Content-Length alone, before the body is read. A chunked body has none: it is read here,
        at most one byte past the limit (werkzeug stops there), and kept for the view (get_data's cache)."""
        limit = app.config["MAX_JSON_LENGTH"] if request.is_json else app.config["MAX_CONTENT_LENGTH"]
        if (request.content_length or 0) > limit:
            return app_error_response(PayloadTooLarge())
        if "chunked" in request.headers.get("Transfer-Encoding", "").lower():
            request.max_content_length = limit + 1
            if len(request.get_data(cache=True)) > limit:
                return app_error_response(PayloadTooLarge())
        return None

    @app.after_request
    def add_request_id(response):
        response.headers["X-Request-ID"] = request_id()
        if request.path.startswith("/api/"):
            # API answers are data, never a page to sniff or a copy for a shared cache; downloads that may be
            # kept (photos: private) set their own Cache-Control.
            response.headers["X-Content-Type-Options"] = "nosniff"
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.teardown_request
    def forget_viewer(_exc):
        g.pop("viewer", None)


def register_errorhandlers(app: Flask) -> None:
    from app.errors import register_errorhandlers as register

    register(app)


def register_commands(app: Flask) -> None:
    from app.cli import register

    register(app)
