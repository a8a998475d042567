"""Counting the SQL statements a piece of work sends: tests assert that pages and services cost
the same number of queries however many rows they show."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from clearance.extensions import db


@contextmanager
def counting_queries() -> Iterator[list[str]]:
    """The statements sent to the test database while the block runs."""
    statements: list[str] = []
    engine = db.session.get_bind()
    engine = getattr(engine, "engine", engine)

    def count(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)
