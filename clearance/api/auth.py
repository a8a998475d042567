"""Bearer-token authentication of the JSON API.

Every API blueprint runs ``authenticate`` before its views: the token's user becomes Flask-Login's
``current_user`` for this request only (no session cookie is set), so the scope rules and the audit
trail see the same user as in the UI.
"""

from __future__ import annotations

from flask import g, request
from flask_babel import gettext as _

from clearance.api.errors import fail
from clearance.extensions import db
from clearance.models import User
from clearance.services.auth import user_for_token

#: Methods that change nothing: a viewer (role "viewer") may use only these.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def bearer_token() -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or None."""
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def authenticate() -> None:
    """401 without a valid token; 403 when a viewer tries to write. Otherwise the token's user
    is the request's current_user."""
    token = bearer_token()
    user = user_for_token(token) if token else None
    if user is None:
        fail(401, _("Thiếu mã truy cập hoặc mã không hợp lệ: gửi tiêu đề Authorization: Bearer <mã>."))
    if db.session.dirty:
        db.session.commit()  # keeps the token's last use (stamped every few minutes)
    # Flask-Login 0.6 caches the request's user in g._login_user (flask_login.utils._get_user):
    # setting it makes current_user the token's user without login_user() and its cookie.
    g._login_user = user
    if request.method not in READ_METHODS and not user.can_edit:
        fail(403, _("Tài khoản chỉ xem: không được thêm hoặc sửa dữ liệu."))


def forget_user(_error: BaseException | None = None) -> None:
    """Teardown: the user was only for this request (g can outlive it, e.g. in tests)."""
    g.pop("_login_user", None)


def api_user() -> User:
    """The authenticated user of the current API request."""
    user: User = g._login_user
    return user
