"""API errors: always JSON {"error": {"status", "message", "field"}} and never a 500 for bad input."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, request
from flask_smorest import Api
from werkzeug.exceptions import HTTPException


def json_error(status: int, message: str | None, field: str | None = None, details: Any = None):  # type: ignore[no-untyped-def]
    body: dict[str, Any] = {"status": status, "message": message or "", "field": field}
    if details:
        body["details"] = details
    return jsonify(error=body), status


def register(app: Flask, api: Api) -> None:
    def handle_http(error: HTTPException):  # type: ignore[no-untyped-def]
        if not request.path.startswith("/api/"):
            return error
        data = getattr(error, "data", None) or {}
        messages = data.get("messages") if isinstance(data, dict) else None
        if messages:
            # marshmallow: {"json": {"field": ["msg"]}} → the first offending field
            location, fields = next(iter(messages.items()))
            if isinstance(fields, dict) and fields:
                field, msgs = next(iter(fields.items()))
                text = msgs[0] if isinstance(msgs, list) else str(msgs)
                return json_error(error.code or 422, f"{field}: {text}", field, messages)
        message = data.get("message") if isinstance(data, dict) else None
        return json_error(error.code or 500, message or error.description)

    api.handle_http_exception = handle_http  # type: ignore[method-assign]
    app.register_error_handler(HTTPException, handle_http)
