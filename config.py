"""Configuration, read from the environment.

``CLEARANCE_ENV`` picks the class (development, testing, production); ``DATABASE_URL`` picks the
database (default: a SpatiaLite file under ``instance/``).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("CLEARANCE_INSTANCE", BASE_DIR / "instance"))


def _default_database_url() -> str:
    return f"sqlite:///{INSTANCE_DIR / 'clearance.sqlite'}"


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-not-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or _default_database_url()
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # Vietnamese first; English is a full catalogue selectable per session (?lang=en).
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    WTF_CSRF_TIME_LIMIT = None  # a form left open during a long field visit must still submit
    # Sign-in throttling: after this many failures in a row the account is locked for a while.
    LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "5"))
    LOGIN_LOCK_MINUTES = int(os.environ.get("LOGIN_LOCK_MINUTES", "15"))
    PAGE_SIZE = int(os.environ.get("PAGE_SIZE", "25"))
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_UPLOAD_MB", "50")) * 1024 * 1024
    # OpenAPI (flask-smorest)
    API_TITLE = "Clearance API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    API_SPEC_OPTIONS = {
        "info": {"description": "Land-clearance case records: projects, parcels, households, cases."},
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}
        },
        "security": [{"bearerAuth": []}],
    }
    DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "demo-gpmb-2026")
    # Base map of the project map: an XYZ tile URL such as "https://tile.example.org/{z}/{x}/{y}.png"
    # and its attribution (HTML). Empty (the default): no tiles, the parcels on a plain background,
    # so the map works offline.
    # Late payment of compensation (Land Law 2024, Art. 94): the extra amount per day late, as a
    # fraction of the late sum — the tax-administration late-payment rate (0.03 %/day, to confirm).
    LATE_PAYMENT_RATE_PER_DAY = os.environ.get("LATE_PAYMENT_RATE_PER_DAY", "0.0003")
    # Days to resolve a complaint (Law on Complaints 2011, Art. 28: 30 days, 45 when complex).
    GRIEVANCE_RESOLUTION_DAYS = int(os.environ.get("GRIEVANCE_RESOLUTION_DAYS", "30"))
    # Scans and photos of signed minutes: where they are kept (by content hash) and the largest
    # accepted file.
    ATTACHMENT_DIR = os.environ.get("ATTACHMENT_DIR") or str(INSTANCE_DIR / "attachments")
    ATTACHMENT_MAX_MB = int(os.environ.get("ATTACHMENT_MAX_MB", "15"))
    # Hotspot levels: a case whose risk score reaches these points is "cần theo dõi" / "điểm nóng".
    # The factors and their weights are data (table risk_factor).
    RISK_MEDIUM_SCORE = int(os.environ.get("RISK_MEDIUM_SCORE", "30"))
    RISK_HIGH_SCORE = int(os.environ.get("RISK_HIGH_SCORE", "60"))
    # Printing: processes rendering a batch of documents (default one per CPU), where background
    # print jobs leave their PDFs, and whether a job runs inside the request (tests: their data is
    # never committed, so a background thread could not see it).
    PRINT_WORKERS = int(os.environ.get("PRINT_WORKERS", "0")) or None
    PRINT_JOB_DIR = os.environ.get("PRINT_JOB_DIR") or str(INSTANCE_DIR / "print-jobs")
    PRINT_JOBS_INLINE = False
    MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
    MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "")


class DevelopmentConfig(Config):
    DEBUG = False


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or "sqlite://"
    LOGIN_MAX_FAILURES = 3


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True

    @classmethod
    def check(cls) -> dict[str, str]:
        """Refuse to start without a real secret key (raises RuntimeError); returns the settings
        read at start-up rather than at import, so the development key can never be used."""
        secret = os.environ.get("SECRET_KEY")
        if not secret:
            raise RuntimeError(
                "SECRET_KEY is not set: the production configuration refuses to start without "
                "one. Generate one with: python3 -c 'import secrets; print(secrets.token_hex(32))'"
            )
        return {"SECRET_KEY": secret}


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
