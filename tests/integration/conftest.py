"""Fixtures shared by the integration tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask


@pytest.fixture()
def vietnamese_request(app: Flask) -> Iterator[None]:
    """Services word refusals and reasons for the user: in a request, in Vietnamese (the default
    locale). Modules whose services speak use it with ``pytestmark``."""
    with app.test_request_context():
        yield
