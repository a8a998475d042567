"""Malformed GeoJSON typed or posted by a user gets a GeometryError with a reason, never a crash."""

from __future__ import annotations

import pytest

from geodata.errors import GeometryError
from geodata.geometry import parse_polygon


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"type": "Polygon"}', "toạ độ không đọc được"),
        ('{"type": "Polygon", "coordinates": [[[105.85, "NaN"], [105.86, 21.0], [105.86, 21.01], [105.85, 21.0]]]}', "toạ độ không đọc được"),
        ('{"type": "Polygon", "coordinates": [[[105.85, NaN], [105.86, 21.0], [105.86, 21.01], [105.85, 21.0]]]}', "toạ độ không đọc được"),
        ('{"type": "Polygon", "coordinates": [[[1], [2]]]}', "toạ độ không đọc được"),
        ("[1, 2]", "không phải đối tượng GeoJSON"),
        ("{not json", "không phải GeoJSON hợp lệ"),
    ],
)
def test_malformed_geojson_is_refused_with_a_reason(text, reason):
    with pytest.raises(GeometryError, match=reason):
        parse_polygon(text)


def test_a_feature_wrapping_a_polygon_is_accepted_as_a_multipolygon():
    geom = parse_polygon({"type": "Feature", "properties": {}, "geometry": {
        "type": "Polygon", "coordinates": [[[105.85, 21.0], [105.851, 21.0], [105.851, 21.001], [105.85, 21.0]]]}})
    assert geom.geom_type == "MultiPolygon"
