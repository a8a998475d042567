"""Small helpers the blueprints share."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app, request
from flask_wtf import FlaskForm

from clearance.services.errors import FieldError


def form_values(form: FlaskForm, *skip: str) -> dict[str, Any]:
    return {k: v for k, v in form.data.items() if k not in {"csrf_token", *skip}}


def show_field_error(form: FlaskForm, error: FieldError) -> None:
    """Put a service's FieldError under its field (or on the form if no such field)."""
    field = getattr(form, error.field, None)
    if field is not None:
        field.errors = [*field.errors, error.message] if isinstance(field.errors, list) else [error.message]
    else:
        form.form_errors.append(error.message)


#: No list has this many pages; a larger ?page= is treated as the last possible one.
MAX_PAGE = 100_000


def page_args() -> tuple[int, int]:
    try:
        page = min(MAX_PAGE, max(1, int(request.args.get("page", 1))))
    except ValueError:
        page = 1
    return page, current_app.config["PAGE_SIZE"]


def search_term(name: str = "q") -> str:
    """A search box's text: trimmed, without NUL characters (PostgreSQL refuses them)."""
    return request.args.get(name, "").replace("\x00", "").strip()


def safe_next(target: str | None, default: str) -> str:
    """``target`` if it is a path on this site, else ``default`` (no open redirect)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")) and not urlsplit(target).netloc:
        return target
    return default


def like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
