"""The dialogue log pages: logging a meeting (two screens, phone first), the minutes with their
amendments, attachments and commitments."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("meetings", __name__, url_prefix="/projects/<code>/meetings")
