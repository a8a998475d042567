"""API errors: always JSON {"error": {"status", "message", "field"}} and never a 500 for bad input.

Pages outside /api/ keep their HTML error pages: the handler here answers only under /api/.
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

import flask
from flask import Flask, Response, jsonify, request
from flask_babel import gettext as _
from flask_smorest import Api
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException, default_exceptions

JsonResponse = tuple[Response, int, dict[str, str]]

#: Headers of a werkzeug error that a JSON answer keeps (e.g. Allow on a 405).
_KEPT_HEADERS = {"allow", "retry-after", "www-authenticate"}


def _default_message(status: int) -> str:
    messages = {
        400: _("Yêu cầu không hợp lệ."),
        401: _("Cần mã truy cập hợp lệ: gửi tiêu đề Authorization: Bearer <mã>."),
        403: _("Bạn không có quyền thực hiện thao tác này."),
        404: _("Không tìm thấy."),
        405: _("Địa chỉ này không nhận phương thức %(method)s.", method=request.method),
        409: _("Dữ liệu vừa bị thay đổi hoặc trùng với bản ghi khác. Tải lại rồi thử lại."),
        413: _("Dữ liệu gửi lên quá lớn."),
        415: _("Gửi dữ liệu dạng JSON (Content-Type: application/json)."),
        422: _("Dữ liệu không hợp lệ."),
    }
    return messages.get(status, _("Lỗi hệ thống, vui lòng thử lại sau."))


def json_error(
    status: int,
    message: str | None,
    field: str | None = None,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> JsonResponse:
    """The JSON error answer. A werkzeug stock (English) description becomes our own message."""
    stock = default_exceptions.get(status)
    if not message or (stock is not None and message == stock.description):
        message = _default_message(status)
    body: dict[str, Any] = {"status": status, "message": str(message), "field": field}
    if details:
        body["details"] = details
    return jsonify(error=body), status, headers or {}


def fail(status: int, message: str, field: str | None = None) -> NoReturn:
    """Stop the request with a JSON API error (the message also becomes the description, so the
    403/404 handlers of the HTML views, which answer JSON under /api/, show it too)."""
    try:
        flask.abort(status, description=message)
    except HTTPException as error:
        error.data = {"message": message, "field": field}  # type: ignore[attr-defined]
        raise


def _plain(messages: Any) -> Any:
    """marshmallow messages (lazy strings, integer keys) as plain JSON."""
    if isinstance(messages, dict):
        return {str(key): _plain(value) for key, value in messages.items()}
    if isinstance(messages, (list, tuple)):
        return [_plain(value) for value in messages]
    return str(messages)


def _first_message(messages: Any) -> str:
    while isinstance(messages, (dict, list, tuple)) and messages:
        messages = next(iter(messages.values())) if isinstance(messages, dict) else messages[0]
    return str(messages)


def first_field_error(messages: dict[str, Any]) -> tuple[str | None, str, Any]:
    """(field, message, details) from webargs' {"json": {"field": ["message"]}} messages."""
    _location, errors = next(iter(messages.items()))
    if not isinstance(errors, dict) or not errors:
        return None, _first_message(errors), None
    field, field_errors = next(iter(errors.items()))
    text = _first_message(field_errors)
    if field == "_schema":
        return None, text, _plain(errors)
    return str(field), f"{field}: {text}", _plain(errors)


class ApiParser(FlaskParser):
    """webargs' parser with JSON-body problems reported in our words."""

    def load_json(self, req: flask.Request, schema: Any) -> Any:
        if req.get_data(cache=True) and not req.is_json:
            fail(415, _("Gửi dữ liệu dạng JSON (Content-Type: application/json)."))
        return super().load_json(req, schema)

    def _handle_invalid_json_error(self, error: Exception, req: flask.Request, *args: Any, **kwargs: Any) -> NoReturn:
        if isinstance(error, json.JSONDecodeError):
            fail(400, _("Nội dung JSON không đọc được: %(reason)s (dòng %(line)s, cột %(column)s).",
                        reason=error.msg, line=error.lineno, column=error.colno))
        fail(400, _("Nội dung JSON không đọc được: phải mã hoá UTF-8."))


def handle_http(error: HTTPException) -> Any:
    """JSON under /api/; elsewhere the error as Flask would have shown it."""
    if not request.path.startswith("/api/"):
        return error
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    field, message, details = data.get("field"), data.get("message"), None
    if data.get("messages"):
        field, message, details = first_field_error(data["messages"])
    headers = {key: value for key, value in error.get_headers() if key.lower() in _KEPT_HEADERS}
    headers.update(data.get("headers") or {})
    if status == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="api"')
    return json_error(status, message or error.description, field, details, headers)


def register(app: Flask, api: Api) -> None:
    """Answer API errors as JSON, and describe that answer in the OpenAPI document."""
    from apispec.ext.marshmallow.common import make_schema_key
    from flask_smorest.error_handler import ErrorSchema

    from clearance.api.schemas import ApiErrorSchema

    api.handle_http_exception = handle_http  # type: ignore[method-assign]
    app.register_error_handler(HTTPException, handle_http)
    # flask-smorest documented its own error body when the Api was bound; document ours instead.
    api.ERROR_SCHEMA = ApiErrorSchema  # type: ignore[misc]
    api._register_responses()
    stale = api.ma_plugin.converter.refs.pop(make_schema_key(ErrorSchema()), None)
    if stale is not None:
        api.spec.components.schemas.pop(stale, None)
