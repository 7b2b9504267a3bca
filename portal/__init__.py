"""Stoa: the application factory is the only wiring point."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from authlib.integrations.flask_client import OAuth
from flask import Flask
from flask_openapi3 import Info, OpenAPI
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import db, security
from portal.config import PROJECT_ROOT, load_settings
from portal.extensions import csrf, login_manager
from portal.extensions import htmx as htmx_ext
from portal.ratelimit import make_shared_store, make_store
from portal.runtime import Runtime, set_runtime
from portal.web import assets, htmx, limits, pagecache
from portal.web.args import IdConverter, TextConverter


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings, extensions, blueprints, error handlers. No I/O beyond config."""
    settings = load_settings(config)
    from blueprints.api import SECURITY_SCHEMES, validation_error_response
    from blueprints.api.schemas import ErrorEnvelope

    # flask-openapi3's app class: API operations declare pydantic models once, used both to
    # validate requests and to publish /api/openapi.json (its bundled UIs are off: see /api/docs).
    app = OpenAPI(
        "portal",
        info=Info(title="Stoa API", version="1.0.0"),
        security_schemes=SECURITY_SCHEMES,
        doc_ui=False,
        doc_prefix="/api",
        doc_url="/openapi.json",
        validation_error_callback=validation_error_response,
        validation_error_model=ErrorEnvelope,
        instance_path=str(settings.instance_path),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(
        SECRET_KEY=settings.secret_key,
        STOA_SETTINGS=settings,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.is_production and not settings.extra.get("INSECURE_COOKIES"),
        SESSION_COOKIE_NAME="stoa_session",
        PERMANENT_SESSION_LIFETIME=60 * 60 * 24 * 14,
        WTF_CSRF_TIME_LIMIT=None,
        WTF_CSRF_HEADERS=["X-CSRFToken"],
        JSON_SORT_KEYS=False,
    )
    app.config.update(dict(settings.extra))
    if settings.is_production and settings.base_url:
        # Second guard after links-from-configuration: only our own host name is answered
        # (and loopback, for health probes); anything else is a 400.
        own = urlsplit(settings.base_url).hostname or ""
        extra_hosts = str(
            settings.extra.get("TRUSTED_HOSTS_EXTRA") or os.environ.get("STOA_TRUSTED_HOSTS", "")
        )
        app.config["TRUSTED_HOSTS"] = [
            own,
            "localhost",
            "127.0.0.1",
            *[h.strip() for h in extra_hosts.split(",") if h.strip()],
        ]
    if settings.trusted_proxies:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app,
            x_for=settings.trusted_proxies,
            x_proto=settings.trusted_proxies,
            x_host=settings.trusted_proxies,
        )

    engine = config.get("ENGINE") if config else None
    busy = float(str(settings.extra.get("SQLITE_BUSY_SECONDS", db.SQLITE_BUSY_SECONDS)))
    engine = engine or db.make_engine(settings.database_url, sqlite_busy_seconds=busy)
    # first of all: its after-request step stores the finished response, after every other
    pagecache.init_app(app, engine)
    # then assets, so its after-request step (gzip) runs after the rest
    assets.init_app(app, watch=app.debug or settings.env == "development")
    db.init_app(app, engine)
    namespace = str(settings.extra.get("RATELIMIT_NAMESPACE", ""))
    queue = None
    if settings.redis_url and not settings.extra.get("JOBS_IN_PROCESS"):
        import redis
        from rq import Queue

        # a request only hands a job over: never wait long on Redis (the job then runs here)
        conn = redis.Redis.from_url(settings.redis_url, socket_connect_timeout=1, socket_timeout=2)
        queue = Queue("stoa", connection=conn)
    set_runtime(
        Runtime(
            settings=settings,
            db=app.extensions["stoa_db"],
            counters=make_store(settings.redis_url, namespace),
            throttle=make_shared_store(
                settings.redis_url, app.extensions["stoa_db"].engine, namespace
            ),
            queue=queue,
        ),
        app,
    )

    # Before CSRF protection, which reads forms: the body cap must already be in place.
    limits.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    # one OAuth registry per app: providers (and their cached metadata) belong to its settings
    oauth = OAuth(app)
    app.extensions["stoa_oauth"] = oauth
    for provider in settings.sso_providers:
        oauth.register(
            provider.name,
            server_metadata_url=provider.server_metadata_url,
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            client_kwargs={"scope": provider.scope},
            overwrite=True,
        )
    htmx_ext.init_app(app)
    htmx.init_app(app)
    security.init_app(app)

    from portal import principal  # noqa: F401  (registers the user loader)
    from portal.cli import register_cli
    from portal.templating import init_templating

    init_templating(app)
    app.url_map.converters["int"] = IdConverter
    app.url_map.converters["default"] = app.url_map.converters["string"] = TextConverter
    _register_blueprints(app)
    register_cli(app)
    if not app.debug:
        logging.getLogger("portal").setLevel(logging.INFO)
    return app


def _register_blueprints(app: Flask) -> None:
    import blueprints
    from portal import sweeper

    blueprints.register(app)
    sweeper.init_app(app)
