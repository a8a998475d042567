"""Sign-in with throttling: after LOGIN_MAX_FAILURES failures in a row an account is locked
for LOGIN_LOCK_MINUTES, and so is an address that keeps guessing unknown user names."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from clearance.extensions import db
from clearance.models import ApiToken, User
from clearance.models.types import utcnow
from clearance.models.user import hash_token


class SignInRefused(Exception):
    """Sign-in failed; the message is safe to show (it never says which part was wrong)."""


#: Recent failures by address and by unknown user name (kept in this process's memory; the
#: per-account lock is in the database).
_failures: dict[str, list[float]] = {}
_lock = threading.Lock()


def _recent_failures(key: str, window: float) -> int:
    now = time.monotonic()
    with _lock:
        recent = [t for t in _failures.get(key, []) if now - t < window]
        _failures[key] = recent
        return len(recent)


def _note_failure(key: str) -> None:
    with _lock:
        _failures.setdefault(key, []).append(time.monotonic())


def reset_throttle() -> None:
    with _lock:
        _failures.clear()


def sign_in(username: str, password: str, address: str) -> User:
    """The user if the password is right; raises SignInRefused otherwise (flushes counters)."""
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    minutes = current_app.config["LOGIN_LOCK_MINUTES"]
    if _recent_failures(f"address:{address}", minutes * 60) >= limit * 2:
        raise SignInRefused(_("Quá nhiều lần đăng nhập sai từ máy này. Thử lại sau %(minutes)s phút.", minutes=minutes))
    user = db.session.scalar(sa.select(User).where(User.username == username))
    now = utcnow()
    locked = _("Tài khoản tạm khóa do đăng nhập sai nhiều lần. Thử lại sau %(minutes)s phút.", minutes=minutes)
    if user is None and _recent_failures(f"name:{username.lower()}", minutes * 60) >= limit:
        raise SignInRefused(locked)  # the same answer as for a real account: names can't be probed
    if user is not None and user.locked_until is not None:
        if user.locked_until > now:
            wait = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
            raise SignInRefused(_("Tài khoản tạm khóa do đăng nhập sai nhiều lần. Thử lại sau %(minutes)s phút.", minutes=wait))
    if user is None or not user.is_active or not user.check_password(password):
        _note_failure(f"address:{address}")
        if user is None:
            _note_failure(f"name:{username.lower()}")
        else:
            user.failed_logins += 1
            if user.failed_logins >= limit:
                user.locked_until = now + timedelta(minutes=minutes)
                user.failed_logins = 0
            db.session.flush()
        raise SignInRefused(_("Tên đăng nhập hoặc mật khẩu không đúng."))
    user.failed_logins = 0
    user.locked_until = None
    db.session.flush()
    return user


#: How stale ``ApiToken.last_used_at`` may get before a request stamps it again.
TOKEN_STAMP_INTERVAL = timedelta(minutes=5)


def user_for_token(token: str) -> User | None:
    row = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.token_hash == hash_token(token), ApiToken.revoked.is_(False))
    )
    if row is None or not row.user.is_active:
        return None
    now = utcnow()
    # Stamped at most every few minutes: a write (and on SQLite a write lock) per read request
    # would cost more than the information is worth.
    if row.last_used_at is None or now - row.last_used_at > TOKEN_STAMP_INTERVAL:
        row.last_used_at = now
    return row.user
