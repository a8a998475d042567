"""Writes the audit trail from the ORM flush, so no service can forget to.

The entries are inserted on the flush's own connection in ``after_flush``: they commit or roll
back together with the change they describe.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import sqlalchemy as sa
from geoalchemy2.elements import WKBElement
from sqlalchemy import event
from sqlalchemy.orm import Session, attributes

from clearance.models.audit import Audited, AuditEntry
from clearance.models.types import utcnow

_cli_actor: contextvars.ContextVar[tuple[int | None, str] | None] = contextvars.ContextVar(
    "cli_actor", default=None
)

GEOMETRY_CHANGED = "(hình học)"
#: Bookkeeping columns that would only be noise in a history read by people.
IGNORED_FIELDS = frozenset({"id", "created_at", "updated_at", "version"})


@contextmanager
def acting_as(user_id: int | None, name: str) -> Iterator[None]:
    """Attribute changes made outside a web request (CLI, demo loader) to ``name``."""
    token = _cli_actor.set((user_id, name))
    try:
        yield
    finally:
        _cli_actor.reset(token)


def set_reason(session: Session, reason: str | None) -> None:
    """Attach a reason to the changes of the next flush (e.g. a correction's justification)."""
    session.info["audit_reason"] = reason


def current_actor() -> tuple[int | None, str]:
    """(user id, name) of whoever is making the change: the CLI's ``acting_as``, the signed-in
    user, or "system". Services writing in bulk (imports) stamp their own entries with it."""
    return _current_actor()


def _current_actor() -> tuple[int | None, str]:
    explicit = _cli_actor.get()
    if explicit is not None:
        return explicit
    try:
        from flask import has_request_context
        from flask_login import current_user

        if has_request_context() and current_user and current_user.is_authenticated:
            return current_user.id, current_user.display_name
    except ImportError:  # pragma: no cover - Flask is always installed with the app
        pass
    return None, "system"


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, WKBElement):
        return GEOMETRY_CHANGED
    return value


def _same_geometry(before: Any, after: Any) -> bool:
    if before is None or after is None:
        return before is after
    from geoalchemy2.shape import to_shape

    try:
        return bool(to_shape(before).equals_exact(to_shape(after), 1e-9))
    except Exception:  # an element not yet in WKB form: treat as changed
        return False


def _describe(session: Session, obj: Audited, key: str, value: Any) -> Any:
    """A foreign key shown with the record it points to: "17 · Khúc Thu Lan". The lookup runs
    inside the flush, where autoflush is off, and mostly hits the identity map."""
    value = _plain(value)
    if not key.endswith("_id") or value is None:
        return value
    relationship = sa.inspect(type(obj)).relationships.get(key[:-3])
    if relationship is None:
        return value
    target = session.get(relationship.mapper.class_, value)
    return f"{value} · {target}" if target is not None else value


def _column_changes(session: Session, obj: Audited, action: str) -> dict[str, list[Any]]:
    state = sa.inspect(obj)
    hidden = set(obj.__audit_fields_hidden__)
    changes: dict[str, list[Any]] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in IGNORED_FIELDS:
            continue
        hist = state.attrs[key].history
        if action == "create":
            value = state.attrs[key].value
            if value is not None and value != "" and value is not False:
                changes[key] = [None, GEOMETRY_CHANGED if key in hidden else _describe(session, obj, key, value)]
        elif action == "delete":
            value = state.attrs[key].loaded_value
            if value is not attributes.NO_VALUE and value is not None and value != "":
                changes[key] = [GEOMETRY_CHANGED if key in hidden else _describe(session, obj, key, value), None]
        elif hist.has_changes():
            before = hist.deleted[0] if hist.deleted else None
            after = hist.added[0] if hist.added else None
            if key in hidden:
                if not _same_geometry(before, after):
                    changes[key] = [GEOMETRY_CHANGED if before is not None else None,
                                    GEOMETRY_CHANGED if after is not None else None]
            elif _plain(before) != _plain(after):
                changes[key] = [_describe(session, obj, key, before), _describe(session, obj, key, after)]
    for rel in obj.__audit_relations__:
        hist = state.attrs[rel].history
        if action == "update" and not (hist.added or hist.deleted):
            continue
        before = sorted(str(m) for m in (*hist.unchanged, *hist.deleted))
        after = sorted(str(m) for m in (*hist.unchanged, *hist.added))
        if action == "create":
            before = []
        if before != after:
            changes[rel] = [before, after]
    return changes


@event.listens_for(Session, "after_flush")
def _write_audit(session: Session, _flush_context: Any) -> None:
    rows = []
    for action, objects in (("create", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objects:
            if not isinstance(obj, Audited):
                continue
            if action == "update" and not session.is_modified(obj):
                continue
            changes = _column_changes(session, obj, action)
            if action == "update" and not changes:
                continue
            rows.append(
                {
                    "action": action,
                    "entity": obj.__tablename__,  # type: ignore[attr-defined]
                    "entity_id": obj.id,  # type: ignore[attr-defined]
                    "label": str(obj)[:300],
                    "project_id": obj.audit_project_id,
                    "case_id": obj.audit_case_id,
                    "changes": changes,
                }
            )
    if not rows:
        return
    user_id, actor = _current_actor()
    reason = session.info.pop("audit_reason", None)
    now = utcnow()
    session.connection().execute(
        sa.insert(AuditEntry.__table__),
        [{**row, "user_id": user_id, "actor": actor, "reason": reason, "at": now} for row in rows],
    )
