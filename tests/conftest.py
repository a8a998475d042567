"""One suite, two databases: every test that touches the database runs on SpatiaLite and PostGIS.

Each backend gets one app per session, its schema built by the Alembic migrations from an empty
database; each test runs inside an outer transaction that is rolled back (views may commit: their
commits only release a savepoint).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
import sqlalchemy.orm
from flask import Flask
from flask.testing import FlaskClient
from flask_sqlalchemy.session import _app_ctx_id

from clearance import create_app
from clearance.extensions import db as _db
from tests.postgis import reset_postgis

BACKENDS = ("sqlite", "postgis")


def backend_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('spatialite') / 'test.sqlite'}"
    url = os.environ.get("TEST_POSTGIS_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("TEST_POSTGIS_URL is not set: run the suite with `make test`")
        pytest.skip("no PostGIS server: set TEST_POSTGIS_URL or run `make test`")
    return url


def _attachment_dir() -> Any:
    import tempfile
    from pathlib import Path

    return Path(tempfile.gettempdir()) / f"clearance-test-attachments-{os.getpid()}"


def make_app(url: str, **overrides: Any) -> Flask:
    import config

    settings = {
        key: getattr(config.TestingConfig, key) for key in dir(config.TestingConfig) if key.isupper()
    }
    settings.update(SQLALCHEMY_DATABASE_URI=url, ATTACHMENT_DIR=str(_attachment_dir()), **overrides)
    return create_app(settings)


@pytest.fixture(scope="session", params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    url = backend_url(request.param, tmp_path_factory)
    if request.param == "postgis":
        reset_postgis(url)
    application = make_app(url)
    application.config["BACKEND"] = request.param
    with application.app_context():
        from flask_migrate import upgrade

        upgrade()
    yield application
    with application.app_context():
        _db.engine.dispose()


@pytest.fixture()
def db(app: Flask) -> Iterator[Any]:
    """The database inside a transaction that is rolled back after the test."""
    from clearance.services.auth import reset_throttle

    reset_throttle()
    with app.app_context():
        connection = _db.engine.connect()
        outer = connection.begin()
        original = _db.session
        # A plain Session: Flask-SQLAlchemy's own would pick the engine, not this connection.
        factory = sa.orm.sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
        _db.session = sa.orm.scoped_session(factory, scopefunc=_app_ctx_id)
        try:
            yield _db
        finally:
            _db.session.remove()
            _db.session = original
            outer.rollback()
            connection.close()


class FreshContextClient(FlaskClient):
    """Each request runs in its own app context, as in production: its own session (on the
    test's connection), its own ``g`` (so no signed-in user or locale leaks between requests)."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture()
def client(app: Flask, db: Any) -> FlaskClient:
    app.test_client_class = FreshContextClient
    return app.test_client()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client: FlaskClient, url: str = "/login") -> str:
    page = client.get(url).get_data(as_text=True)
    match = CSRF_RE.search(page)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def sign_in(client: FlaskClient, username: str, password: str = "mat-khau-dung") -> Any:
    token = csrf_token(client)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def post_form(client: FlaskClient, url: str, data: dict[str, Any], form_page: str | None = None) -> Any:
    """Submit a form the way a browser does: with the CSRF token of the signed-in session."""
    token = csrf_token(client, form_page or url)
    return client.post(url, data={**data, "csrf_token": token})
