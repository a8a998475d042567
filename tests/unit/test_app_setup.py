"""Start-up rules: production needs a secret; SpatiaLite needs a Python that loads extensions;
geodata stays a pure spatial library."""

from __future__ import annotations

import subprocess
import sys

import pytest

import config
from clearance.db import ExtensionLoadingUnavailable, check_sqlite_extension_support


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    from clearance import create_app

    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app(config.ProductionConfig)


def test_production_session_cookies_are_secure_httponly_and_samesite(monkeypatch, tmp_path):
    from clearance import create_app

    class Production(config.ProductionConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'prod.sqlite'}"

    monkeypatch.setenv("SECRET_KEY", "a-real-secret-for-this-test")
    app = create_app(Production)
    assert app.config["SECRET_KEY"] == "a-real-secret-for-this-test"
    cookie = app.test_client().get("/login").headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_python_without_extension_loading_gets_told_what_to_do():
    class ConnectionOfPyenvPython:  # its sqlite3 was built without extension loading
        pass

    with pytest.raises(ExtensionLoadingUnavailable, match="/usr/bin/python3 -m venv"):
        check_sqlite_extension_support(ConnectionOfPyenvPython)
    check_sqlite_extension_support()  # this venv's Python can


def test_geodata_imports_without_flask_or_sqlalchemy():
    code = (
        "import sys, geodata.geometry, geodata.crs, geodata.measure, pkgutil, importlib, geodata\n"
        "for m in pkgutil.iter_modules(geodata.__path__): importlib.import_module('geodata.' + m.name)\n"
        "bad = [m for m in ('flask', 'sqlalchemy', 'geoalchemy2', 'clearance') if m in sys.modules]\n"
        "print(','.join(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
