"""Users, roles and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from clearance.db import Base
from clearance.models.admin import Team
from clearance.models.types import Timestamp, enum_column, utcnow
from clearance.workflow.statuses import Role


class User(UserMixin, Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(60), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(120), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role, "user_role"))
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("team.id"), index=True)
    is_active_account: Mapped[bool] = mapped_column(default=True)
    #: Consecutive failed sign-ins and the lock they lead to (throttling).
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(Timestamp)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    team: Mapped[Team | None] = relationship(back_populates="members")
    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", cascade="all, delete-orphan")

    __table_args__ = (
        # Everyone but an admin works for a team: that team's units are what they see.
        sa.CheckConstraint("role = 'admin' OR team_id IS NOT NULL", name="team_unless_admin"),
    )

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.is_active_account

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def can_edit(self) -> bool:
        return self.role in (Role.ADMIN, Role.LEAD, Role.OFFICER)

    @property
    def can_approve(self) -> bool:
        return self.role in (Role.ADMIN, Role.LEAD)

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(Base):
    """A per-user bearer token for /api/v1. Only its hash is stored; the token is shown once."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(Timestamp)
    revoked: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship(back_populates="tokens")

    @staticmethod
    def issue(user: User) -> tuple[ApiToken, str]:
        """Create a token for ``user``; returns the row and the plain token (shown only now)."""
        plain = "gpmb_" + secrets.token_urlsafe(32)
        return ApiToken(user=user, token_hash=hash_token(plain)), plain
