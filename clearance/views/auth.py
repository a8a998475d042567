"""Sign in and out."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from clearance.extensions import db
from clearance.forms.records import LoginForm
from clearance.services.auth import SignInRefused, sign_in
from clearance.views.common import safe_next

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = sign_in(form.username.data, form.password.data, request.remote_addr or "?")
        except SignInRefused as refused:
            db.session.commit()  # keep the failure count
            form.password.errors = [str(refused)]
            status = 401
        else:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            flash(_("Xin chào, %(name)s.", name=user.display_name), "success")
            return redirect(safe_next(request.args.get("next"), url_for("projects.index")))
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():  # type: ignore[no-untyped-def]
    logout_user()
    flash(_("Đã đăng xuất."), "info")
    return redirect(url_for("auth.login"))
