"""Bodies and query strings of the JSON API (marshmallow), documented in the OpenAPI description.

Conventions: money is whole đồng (integer); areas and shares are decimal strings with two places
("125.50"; a JSON number is accepted on input); dates are ISO (yyyy-mm-dd); geometries are GeoJSON
in WGS84. Unknown fields are refused. ``…CreateSchema`` bodies have their required fields; the
``…UpdateSchema`` bodies of PATCH are loaded partially (any subset of the fields).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar

import marshmallow as ma
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from geoalchemy2.shape import to_shape
from marshmallow import fields, validate

from clearance.validation import cccd_problem, phone_problem
from clearance.workflow.statuses import (
    CaseStatus,
    GrievanceKind,
    GrievanceLevel,
    GrievanceStatus,
    PartyKind,
    ProjectStatus,
    Tenure,
)
from geodata.errors import GeometryError
from geodata.geometry import parse_polygon, to_geojson

#: Largest row id (PostgreSQL integer).
MAX_ID = 2**31 - 1
#: Largest sum of money: every JSON client reads integers up to 2^53 - 1 exactly.
MAX_MONEY = 2**53 - 1
#: Areas are Numeric(14, 2): below 10^12 m².
MAX_AREA = Decimal("999999999999.99")

_MESSAGES: dict[str, Any] = {
    "required": _l("Trường này bắt buộc."),
    "null": _l("Trường này không được để trống (null)."),
}
#: Vietnamese messages for marshmallow's own checks, by field type (first match wins).
_MESSAGES_BY_TYPE: tuple[tuple[type[fields.Field], dict[str, Any]], ...] = (
    (fields.Boolean, {"invalid": _l("Phải là true hoặc false.")}),
    (fields.Integer, {"invalid": _l("Phải là số nguyên."), "too_large": _l("Số quá lớn.")}),
    (
        fields.Decimal,
        {"invalid": _l("Phải là số, ví dụ \"125.50\"."), "special": _l("Phải là số, ví dụ \"125.50\"."),
         "too_large": _l("Số quá lớn.")},
    ),
    (fields.Date, {"invalid": _l("Ngày không hợp lệ: ghi theo dạng yyyy-mm-dd.")}),
    (fields.String, {"invalid": _l("Phải là chuỗi ký tự.")}),
    (fields.List, {"invalid": _l("Phải là một danh sách.")}),
)


def _localise(field: fields.Field) -> None:
    messages = dict(_MESSAGES)
    for kind, extra in _MESSAGES_BY_TYPE:
        if isinstance(field, kind):
            messages.update(extra)
            break
    if isinstance(field, fields.Enum):
        choices = ", ".join(str(member.value) for member in field.enum)
        messages["unknown"] = _l("Chọn một trong: %(choices)s.", choices=choices)
    field.error_messages = {**field.error_messages, **messages}
    if isinstance(field, fields.List):
        _localise(field.inner)


class ApiSchema(ma.Schema):
    """Base: unknown fields are refused, messages are Vietnamese."""

    class Meta:
        unknown = ma.RAISE

    error_messages: ClassVar[dict[str, Any]] = {
        "unknown": _l("Trường không có trong lược đồ, không được chấp nhận."),
        "type": _l("Dữ liệu phải là một đối tượng JSON."),
    }

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        _localise(field_obj)


class QuerySchema(ApiSchema):
    """Query strings: an empty parameter (?status=) counts as absent."""

    @ma.pre_load
    def _drop_empty(self, data: Any, **_kwargs: Any) -> Any:
        return {key: data[key] for key in data if data[key] != ""}


# --- fields -------------------------------------------------------------------------------------


class Text(fields.String):
    """A string without its surrounding spaces."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:  # PostgreSQL refuses NUL in text; say so instead of failing later
            raise ma.ValidationError(_("Văn bản chứa ký tự NUL không hợp lệ."))
        return text.strip()


def text(max_length: int, *, required: bool = False, **kwargs: Any) -> Text:
    """A text field of at most ``max_length`` characters; required ones may not be blank."""
    minimum = 1 if required else None
    message = _l("Không được để trống và tối đa {max} ký tự.") if required else _l("Tối đa {max} ký tự.")
    return Text(required=required, validate=validate.Length(min=minimum, max=max_length, error=message), **kwargs)


def row_id(*, strict: bool = True, **kwargs: Any) -> fields.Integer:
    """A row id; ``strict=False`` for query strings, where every value arrives as text."""
    return fields.Integer(
        strict=strict, validate=validate.Range(min=1, max=MAX_ID, error=_l("Mã số không hợp lệ.")), **kwargs
    )


def enum(kind: type[StrEnum], **kwargs: Any) -> fields.Enum:
    return fields.Enum(kind, by_value=True, **kwargs)


def _checked_by(problem: Callable[[str], str | None]) -> Callable[[str | None], None]:
    """A marshmallow validator from a ``problem(value) -> message | None`` function."""

    def check(value: str | None) -> None:
        if value:
            message = problem(value)
            if message:
                raise ma.ValidationError(message)

    return check


def _amount_check(minimum: Decimal, maximum: Decimal, above_minimum: bool) -> Callable[[Decimal], None]:
    """Range and two decimal places (not validate.Range: it would document string bounds)."""

    def check(value: Decimal) -> None:
        if value.normalize().as_tuple().exponent < -2:  # type: ignore[operator]  ("1.500" is fine)
            raise ma.ValidationError(_("Chỉ ghi tới 2 chữ số thập phân."))
        if above_minimum and not minimum < value <= maximum:
            raise ma.ValidationError(_("Phải lớn hơn %(min)s và không quá %(max)s.", min=minimum, max=maximum))
        if not above_minimum and not minimum <= value <= maximum:
            raise ma.ValidationError(_("Phải từ %(min)s đến %(max)s.", min=minimum, max=maximum))

    return check


class Amount(fields.Decimal):
    """A decimal with two places, written as a string ("125.50"); a JSON number is accepted."""

    def __init__(self, *, minimum: Decimal = Decimal(0), maximum: Decimal = MAX_AREA,
                 above_minimum: bool = False, **kwargs: Any) -> None:
        metadata = {
            "type": "string", "format": "decimal", "pattern": r"^\d+(\.\d{1,2})?$", "example": "125.50",
            **kwargs.pop("metadata", {}),
        }
        check = _amount_check(minimum, maximum, above_minimum)
        super().__init__(as_string=True, allow_nan=False, validate=check, metadata=metadata, **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        return super()._serialize(Decimal(value).quantize(Decimal("0.01")), attr, obj, **kwargs)


def money(**kwargs: Any) -> fields.Integer:
    """Whole đồng."""
    return fields.Integer(
        strict=True,
        validate=validate.Range(min=0, max=MAX_MONEY, error=_l("Số tiền (đồng) phải từ {min} đến {max}.")),
        metadata={"description": "Whole đồng (VND).", "example": 12500000000},
        **kwargs,
    )


GEOJSON_EXAMPLE = {
    "type": "Polygon",
    "coordinates": [[[105.856, 21.0185], [105.8562, 21.0185], [105.8562, 21.0186], [105.856, 21.0186],
                     [105.856, 21.0185]]],
}


class GeoJSON(fields.Field):
    """A GeoJSON Polygon or MultiPolygon in WGS84 (lon, lat); a Feature is accepted on input.
    Loads to a shapely MultiPolygon; dumps a database geometry as GeoJSON (7 decimals)."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {
            "type": "object",
            "description": "GeoJSON Polygon or MultiPolygon, WGS84 longitude/latitude (EPSG:4326).",
            "example": GEOJSON_EXAMPLE,
        }
        super().__init__(allow_none=True, metadata=metadata, **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> dict[str, Any] | None:
        if value is None:
            return None
        return json.loads(to_geojson(to_shape(value)))

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        try:
            return parse_polygon(value)
        except GeometryError as error:
            raise ma.ValidationError(_("Hình học: %(reason)s", reason=str(error))) from None


# --- errors and references ----------------------------------------------------------------------


class ErrorBodySchema(ma.Schema):
    status = fields.Integer(metadata={"description": "HTTP status code."})
    message = fields.String(metadata={"description": "What went wrong, for the user (Vietnamese)."})
    field = fields.String(allow_none=True, metadata={"description": "The offending field, if one is to blame."})
    details = fields.Dict(metadata={"description": "Every field's messages, for validation errors."})


class ApiErrorSchema(ma.Schema):
    """Every error answer of the API."""

    error = fields.Nested(ErrorBodySchema)


class UnitRefSchema(ma.Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()


class LegalDocumentSchema(ma.Schema):
    """A legal basis document (căn cứ pháp lý) of a project."""

    id = fields.Integer()
    number = fields.String(metadata={"description": "Số, ký hiệu, e.g. 35/QĐ-TTg."})
    issued_on = fields.Date()
    issuer = fields.String()
    summary = fields.String(metadata={"description": "Trích yếu."})


class LegalDocumentCreateSchema(ApiSchema):
    number = text(60, required=True)
    issued_on = fields.Date(required=True)
    issuer = text(200, required=True)
    summary = text(10000, required=True)


class PartyRefSchema(ma.Schema):
    id = fields.Integer()
    kind = enum(PartyKind)
    name = fields.String()
    id_number = fields.String(allow_none=True)


# --- projects -----------------------------------------------------------------------------------


class ProjectSchema(ma.Schema):
    """A project (dự án thu hồi đất)."""

    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    investor = fields.String()
    description = fields.String()
    status = enum(ProjectStatus)
    unit_ids = fields.Function(
        lambda project: [unit.id for unit in project.units],
        metadata={"type": "array", "items": {"type": "integer"}},
    )
    units = fields.Nested(UnitRefSchema, many=True)
    approved_budget = money(allow_none=True)
    notice_date = fields.Date(allow_none=True)
    plan_approved_date = fields.Date(allow_none=True)
    recovery_decision_date = fields.Date(allow_none=True)
    handover_deadline = fields.Date(allow_none=True)
    boundary = GeoJSON()
    legal_documents = fields.Nested(LegalDocumentSchema, many=True)
    created_at = fields.DateTime()


class ProjectCreateSchema(ApiSchema):
    code = text(30, required=True, metadata={"pattern": "^[A-Za-z0-9_-]+$"})
    name = text(300, required=True)
    investor = text(300, required=True)
    description = text(10000)
    status = enum(ProjectStatus)
    unit_ids = fields.List(
        row_id(), required=True,
        validate=validate.Length(min=1, error=_l("Chọn ít nhất một phường/xã.")),
        metadata={"description": "Ids of the wards/communes (đơn vị hành chính) the project lies in."},
    )
    approved_budget = money(allow_none=True)
    notice_date = fields.Date(allow_none=True)
    plan_approved_date = fields.Date(allow_none=True)
    recovery_decision_date = fields.Date(allow_none=True)
    handover_deadline = fields.Date(allow_none=True)
    boundary = GeoJSON()

    @ma.validates("code")
    def _code_characters(self, value: str, **_kwargs: Any) -> None:
        if not all(c.isascii() and (c.isalnum() or c in "-_") for c in value):
            raise ma.ValidationError(_("Chỉ dùng chữ không dấu, số, '-' và '_'."))


class ProjectUpdateSchema(ProjectCreateSchema):
    """PATCH: any subset of the project's fields."""


class ProjectQuerySchema(QuerySchema):
    q = Text(metadata={"description": "Searches code, name and investor."})
    status = enum(ProjectStatus)


# --- parcels ------------------------------------------------------------------------------------


class ParcelSchema(ma.Schema):
    """A parcel (thửa đất) of a project."""

    id = fields.Integer()
    project_id = fields.Integer()
    map_sheet = fields.String()
    parcel_no = fields.String()
    address = fields.String()
    former_address = fields.String()
    land_use_code = fields.String()
    legal_area = Amount(allow_none=True)
    measured_area = Amount(allow_none=True)
    recovered_area = Amount(allow_none=True)
    is_partial_recovery = fields.Boolean()
    ward_id = fields.Integer(allow_none=True)
    geom = GeoJSON()


class ParcelCreateSchema(ApiSchema):
    map_sheet = text(20, required=True, metadata={"description": "Tờ bản đồ số."})
    parcel_no = text(20, required=True, metadata={"description": "Số thửa."})
    address = text(300)
    former_address = text(300)
    land_use_code = text(20)
    legal_area = Amount(allow_none=True)
    measured_area = Amount(
        allow_none=True, metadata={"description": "m²; computed from the geometry when left out."}
    )
    geom = GeoJSON()


class ParcelUpdateSchema(ParcelCreateSchema):
    """PATCH: any subset of the parcel's fields."""


class ParcelQuerySchema(QuerySchema):
    q = Text(metadata={"description": "Parcel number or map sheet (exact), or part of the address."})
    map_sheet = Text()
    land_use = Text(metadata={"description": "Land-use code, e.g. ODT."})


# --- households (parties) -----------------------------------------------------------------------


class PartySchema(ma.Schema):
    """A household, individual or organisation affected by clearance (bên bị ảnh hưởng)."""

    id = fields.Integer()
    kind = enum(PartyKind)
    name = fields.String()
    id_number = fields.String(allow_none=True)
    tax_code = fields.String(allow_none=True)
    phone = fields.String()
    address = fields.String()
    former_address = fields.String()
    members = fields.Integer()
    unit_id = fields.Integer()
    is_poor = fields.Boolean()
    is_policy_family = fields.Boolean()
    is_elderly_alone = fields.Boolean()
    has_disabled_member = fields.Boolean()
    is_vulnerable = fields.Boolean()
    created_at = fields.DateTime()


class PartyCreateSchema(ApiSchema):
    kind = enum(PartyKind)
    name = text(200, required=True)
    id_number = Text(
        allow_none=True, validate=_checked_by(cccd_problem),
        metadata={"description": "Số CCCD, 12 digits; empty or null for none."},
    )
    tax_code = text(14, allow_none=True)
    phone = Text(validate=[validate.Length(max=20, error=_l("Tối đa {max} ký tự.")), _checked_by(phone_problem)])
    address = text(300)
    former_address = text(300)
    members = fields.Integer(
        strict=True, validate=validate.Range(min=0, max=99, error=_l("Từ 0 đến 99 người."))
    )
    unit_id = row_id(required=True, metadata={"description": "The ward/commune the party is registered with."})
    is_poor = fields.Boolean()
    is_policy_family = fields.Boolean()
    is_elderly_alone = fields.Boolean()
    has_disabled_member = fields.Boolean()


class PartyUpdateSchema(PartyCreateSchema):
    """PATCH: any subset of the party's fields."""


VULNERABILITY_FLAGS = ("poor", "policy", "elderly", "disabled")


class PartyQuerySchema(QuerySchema):
    q = Text(metadata={"description": "Part of the name, phone or address, or the exact CCCD."})
    kind = enum(PartyKind)
    flag = Text(
        validate=validate.OneOf(
            VULNERABILITY_FLAGS, error=_l("Chọn một trong: %(choices)s.", choices=", ".join(VULNERABILITY_FLAGS))
        ),
        metadata={"enum": list(VULNERABILITY_FLAGS)},
    )
    unit_id = row_id(strict=False)


# --- cases --------------------------------------------------------------------------------------


class HoldingSchema(ma.Schema):
    """A parcel held in a case, with the tenure and the party's share (%)."""

    id = fields.Integer()
    parcel_id = fields.Integer()
    map_sheet = fields.String(attribute="parcel.map_sheet")
    parcel_no = fields.String(attribute="parcel.parcel_no")
    tenure = enum(Tenure)
    share = Amount()


class CaseSchema(ma.Schema):
    """A case (hồ sơ): one party in one project, with the parcels it holds."""

    id = fields.Integer()
    project_id = fields.Integer()
    code = fields.String()
    party_id = fields.Integer()
    party = fields.Nested(PartyRefSchema)
    status = enum(CaseStatus)
    notes = fields.String()
    version = fields.Integer(metadata={"description": "Send it back in PATCH to detect concurrent edits."})
    holdings = fields.Nested(HoldingSchema, many=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class CaseCreateSchema(ApiSchema):
    code = text(30, required=True, metadata={"description": "Số hồ sơ, unique in the project."})
    party_id = row_id(required=True)
    status = enum(CaseStatus)
    notes = text(10000)


class CaseUpdateSchema(CaseCreateSchema):
    """PATCH: any subset of the case's fields; ``version`` refuses the change (409) if the case
    was saved by someone else since it was read."""

    version = fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID))


class CaseQuerySchema(QuerySchema):
    q = Text(metadata={"description": "Part of the case code or of the party's name."})
    status = enum(CaseStatus)
    party_id = row_id(strict=False)


class HoldingCreateSchema(ApiSchema):
    parcel_id = row_id(required=True)
    tenure = enum(Tenure, load_default=Tenure.LAND_USER)
    share = Amount(
        maximum=Decimal(100), above_minimum=True, load_default=Decimal(100),
        metadata={"description": "Phần quyền, per cent (0 < share ≤ 100)."},
    )


class TransitionCreateSchema(ApiSchema):
    """Chuyển bước: move a case to ``target`` (see the transition table in the docs)."""

    target = enum(CaseStatus, required=True)
    occurred_on = fields.Date(required=True, metadata={"description": "Day the step happened (yyyy-mm-dd)."})
    occurred_at = fields.AwareDateTime(
        metadata={"description": "Moment, with its offset; required for enforcement (forbidden hours)."}
    )
    document = text(100)
    note = text(4000, metadata={"description": "Required for a correction (a move backwards)."})
    version = fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID))


class CaseEventSchema(ApiSchema):
    id = fields.Integer()
    step_code = fields.String()
    from_status = enum(CaseStatus)
    to_status = enum(CaseStatus)
    occurred_on = fields.Date()
    occurred_at = fields.DateTime()
    recorded_at = fields.DateTime()
    actor = fields.String()
    document = fields.String()
    note = fields.String()
    is_correction = fields.Boolean()


class GrievanceSchema(ApiSchema):
    id = fields.Integer()
    kind = enum(GrievanceKind)
    level = enum(GrievanceLevel)
    filed_on = fields.Date()
    filed_by = fields.String()
    against = fields.String()
    content = fields.String()
    deadline = fields.Date()
    status = enum(GrievanceStatus)
    resolved_on = fields.Date(allow_none=True)
    resolution = fields.String()


class GrievanceCreateSchema(ApiSchema):
    """Khiếu nại, kiến nghị. It does not suspend the procedure (Decree 102/2024, Art. 40)."""

    kind = enum(GrievanceKind, required=True)
    level = enum(GrievanceLevel, load_default=GrievanceLevel.FIRST)
    filed_on = fields.Date(required=True)
    filed_by = text(200, required=True)
    against = text(300)
    content = text(10000, required=True)
    deadline = fields.Date(metadata={"description": "Default: GRIEVANCE_RESOLUTION_DAYS after filing."})


class GrievanceCloseSchema(ApiSchema):
    status = enum(GrievanceStatus, required=True)
    resolved_on = fields.Date(required=True)
    resolution = text(10000)
