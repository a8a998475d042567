"""Forms of the parcel import: upload with options, then preview → confirm."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileRequired, MultipleFileField
from wtforms import BooleanField, HiddenField, SelectField, StringField
from wtforms.validators import Length, Optional, Regexp

from clearance.forms.base import Form
from geodata.cadastre import FIELD_GUESSES
from geodata.crs import VIETNAM_CRS, crs_label

F = [lambda value: value.strip() if isinstance(value, str) else value]

#: Labels of the parcel attributes a file field can be mapped to.
MAPPING_LABELS = {
    "map_sheet": _l("Số tờ bản đồ"),
    "parcel_no": _l("Số thửa"),
    "land_use_code": _l("Mục đích sử dụng"),
    "area": _l("Diện tích (để đối chiếu)"),
    "holder": _l("Chủ sử dụng"),
    "address": _l("Địa chỉ thửa đất"),
}


def crs_choices() -> list[tuple[str, str]]:
    return [("", _l("Theo khai báo trong file"))] + [(str(code), crs_label(code)) for code in VIETNAM_CRS]


class ImportOptionsForm(Form):
    """The options a user can change between previews."""

    crs = SelectField(_l("Hệ toạ độ của số liệu"), choices=[], default="", validate_choice=True)
    layer = StringField(_l("Lớp (GeoPackage nhiều lớp, lớp CAD của DXF)"), filters=F, validators=[Optional(), Length(max=100)])
    sheet = StringField(
        _l("Số tờ bản đồ (khi file không có trường số tờ)"),
        filters=F,
        validators=[Optional(), Length(max=20), Regexp(r"^[0-9A-Za-z./-]+$", message=_l("Chỉ gồm chữ số, chữ cái, dấu . / -"))],
    )
    create_cases = BooleanField(_l("Tạo hộ và hồ sơ từ trường chủ sử dụng"))
    map_map_sheet = StringField(MAPPING_LABELS["map_sheet"], filters=F, validators=[Optional(), Length(max=100)])
    map_parcel_no = StringField(MAPPING_LABELS["parcel_no"], filters=F, validators=[Optional(), Length(max=100)])
    map_land_use_code = StringField(MAPPING_LABELS["land_use_code"], filters=F, validators=[Optional(), Length(max=100)])
    map_area = StringField(MAPPING_LABELS["area"], filters=F, validators=[Optional(), Length(max=100)])
    map_holder = StringField(MAPPING_LABELS["holder"], filters=F, validators=[Optional(), Length(max=100)])
    map_address = StringField(MAPPING_LABELS["address"], filters=F, validators=[Optional(), Length(max=100)])

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.crs.choices = crs_choices()

    def overrides(self) -> dict[str, str]:
        """Explicit mappings (target → file field); "-" means "no field"."""
        result = {}
        for target in FIELD_GUESSES:
            value = getattr(self, f"map_{target}").data
            if value:
                result[target] = "" if value == "-" else value
        return result


class ImportUploadForm(ImportOptionsForm):
    files = MultipleFileField(
        _l("File bản đồ địa chính"),
        validators=[FileRequired(_l("Chọn ít nhất một file."))],
        render_kw={"accept": ".geojson,.json,.zip,.gpkg,.dxf"},
        description=_l("GeoJSON, Shapefile nén .zip (kèm .prj, .cpg), GeoPackage hoặc DXF; có thể chọn nhiều tờ bản đồ."),
    )


class ImportConfirmForm(ImportOptionsForm):
    token = HiddenField(validators=[Regexp(r"^[A-Za-z0-9_-]{16,64}$")])
