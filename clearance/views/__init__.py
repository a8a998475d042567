"""HTML blueprints. Views are thin: validate a form, call a service, commit once."""

from __future__ import annotations

from flask import Flask, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from clearance.extensions import db, login_manager
from clearance.models import User

PUBLIC_ENDPOINTS = {"auth.login", "static"}


def register_views(app: Flask) -> None:
    from clearance.views import (
        auth,
        cases,
        documents,
        fonts,
        hotspots,
        imports,
        inventory,
        maps,
        meetings,
        parcels,
        parties,
        plans,
        policies,
        projects,
        reference,
        todo,
    )

    for module in (auth, fonts, projects, parcels, imports, parties, cases, meetings, hotspots, maps, reference, todo, plans, policies, inventory, documents):
        app.register_blueprint(module.bp)

    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Vui lòng đăng nhập để tiếp tục.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        return db.session.get(User, int(user_id))

    @app.before_request
    def require_login():  # type: ignore[no-untyped-def]
        endpoint = request.endpoint or ""
        if endpoint in PUBLIC_ENDPOINTS or endpoint.startswith("api") or request.path.startswith("/api/"):
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return None

    @app.route("/")
    def index():  # type: ignore[no-untyped-def]
        return redirect(url_for("projects.index"))

    for code in (403, 404, 410, 413):

        def handler(error, code=code):  # type: ignore[no-untyped-def]
            if request.path.startswith("/api/"):
                from clearance.api.errors import json_error

                return json_error(code, error.description)
            return render_template("error.html", code=code, error=error), code

        app.register_error_handler(code, handler)

    from sqlalchemy.exc import IntegrityError
    from sqlalchemy.orm.exc import StaleDataError

    @app.errorhandler(IntegrityError)
    @app.errorhandler(StaleDataError)
    def conflicting_save(error):  # type: ignore[no-untyped-def]
        """Two saves raced past the services' checks: nothing was written; say so, not 500."""
        db.session.rollback()
        if request.path.startswith("/api/"):
            from clearance.api.errors import json_error

            return json_error(409, str(_l("Dữ liệu vừa được người khác thay đổi; tải lại rồi thử lại.")))
        return render_template("error.html", code=409, error=None), 409

    from flask_wtf.csrf import CSRFError

    @app.errorhandler(CSRFError)
    def csrf_error(error):  # type: ignore[no-untyped-def]
        return render_template("error.html", code=400, error=error, csrf=True), 400
