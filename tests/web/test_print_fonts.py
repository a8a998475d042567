"""The print preview's fonts come from this app, never from the internet: the four Liberation Serif
2 faces, and nothing else from the font folder."""

from __future__ import annotations

from clearance.workflow.statuses import Role
from tests import factories as f
from tests.conftest import sign_in


def test_the_preview_fonts_are_served_and_only_those(client, db):
    f.user("canbo", Role.OFFICER, f.unit("Phường Hai Bà Trưng"))
    sign_in(client, "canbo")
    regular = client.get("/print/fonts/LiberationSerif-Regular.ttf")
    assert regular.status_code == 200 and regular.mimetype == "font/ttf"
    assert regular.data[:4] == b"\x00\x01\x00\x00"  # a TrueType file
    regular.close()
    assert client.get("/print/fonts/DejaVuSans.ttf").status_code == 404
    assert client.get("/print/fonts/..%2F..%2Fetc%2Fpasswd").status_code == 404
