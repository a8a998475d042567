"""The fonts of printed documents, for the browser's print preview (WeasyPrint reads the same
files from disk): Liberation Serif 2, which has every Vietnamese glyph, under our own name."""

from __future__ import annotations

from flask import Blueprint, abort, send_file

from clearance.notices.pdf import font_file

bp = Blueprint("print_fonts", __name__)


@bp.get("/print/fonts/<name>")
def font(name: str):  # type: ignore[no-untyped-def]
    try:
        path = font_file(name)
    except (KeyError, FileNotFoundError):
        abort(404)
    return send_file(path, mimetype="font/ttf", max_age=365 * 24 * 3600)
