"""The land-clearance case-management app (quản lý hồ sơ giải phóng mặt bằng)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, request, session

import config as config_module

ROOT = Path(__file__).resolve().parent.parent


def _load_config(app: Flask, config: Any) -> None:
    if config is None:
        config = os.environ.get("CLEARANCE_ENV", "development")
    if isinstance(config, str):
        config = config_module.CONFIGS[config]
    if isinstance(config, dict):
        app.config.from_object(config_module.Config)
        app.config.update(config)
        return
    check = getattr(config, "check", None)
    app.config.from_object(config)
    if check is not None:
        app.config.update(check())


def select_locale() -> str:
    """Vietnamese unless the user chose another language (?lang=en, kept in the session).
    Outside a request (command line, background work) messages are in the default language."""
    from flask import current_app, has_request_context

    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    chosen = request.args.get("lang")
    if chosen in languages:
        session["lang"] = chosen
    return session.get("lang") or current_app.config["BABEL_DEFAULT_LOCALE"]


def create_app(config: Any = None) -> Flask:
    """Build the app. ``config``: None (from CLEARANCE_ENV), a name, a config class, or a dict
    of overrides on top of the base configuration.

    Raises RuntimeError when the production configuration has no SECRET_KEY, and
    ExtensionLoadingUnavailable when SpatiaLite is selected but this Python cannot load it.
    """
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(config_module.INSTANCE_DIR),
    )
    _load_config(app, config)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # Vietnamese stays readable in the API
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from clearance import audit  # noqa: F401  (registers the audit listener)
    from clearance.db import configure_engine
    from clearance.extensions import api, babel, csrf, db, login_manager, migrate

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(ROOT / "translations"),
    )
    login_manager.init_app(app)
    # The locale is chosen per request (a test or a CLI may reuse one app context for many).
    from flask_babel import refresh as refresh_locale

    app.before_request(refresh_locale)
    _install_fast_gettext(app)

    from clearance import formatting
    from clearance.views import register_views

    formatting.register(app)
    register_views(app)

    api.init_app(app)
    from clearance.api import register_api

    register_api(app, api)

    from clearance.cli import register_cli

    register_cli(app)
    return app


def _install_fast_gettext(app: Flask) -> None:
    """Templates translate through the request's catalogue, looked up once per request.

    Flask-Babel's template callables find the catalogue again for every string (several context
    lookups each); a list page with a few hundred lines spends tens of milliseconds on that alone.
    The catalogue is kept on ``g`` and forgotten before each request, with the locale.
    """
    from flask import g
    from flask_babel import get_translations

    def translations():  # type: ignore[no-untyped-def]
        found = g.get("_translations")
        if found is None:
            found = g._translations = get_translations()
        return found

    @app.before_request
    def forget_translations() -> None:
        g.pop("_translations", None)

    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )
