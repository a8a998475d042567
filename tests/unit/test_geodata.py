"""Pure spatial code: lots along a street, geodesic areas, polygon checks, VN-2000 coordinates.

The expected values come from facts, never from running pyproj a second time: the TM-3 grid's
scale factor 0.9999 and false easting 500 000 m, the ellipsoid's closed-form zone area, and the
published VN-2000 → WGS84 shift parameters.
"""

from __future__ import annotations

import itertools
import math
import random
from decimal import Decimal

import pytest
from shapely.geometry import LineString, Point, Polygon

from geodata.crs import VN2000_HANOI, WGS84, transform
from geodata.errors import GeometryError
from geodata.geometry import parse_polygon
from geodata.layout import (
    LotSize,
    corridor,
    frontage_lots,
    lot_sizes,
    merge_street,
    station_m,
    street_length_m,
)
from geodata.measure import area_m2

#: VN-2000 / TM-3 105° (EPSG:5897): grid metres are ground metres × 0.9999 on the central meridian.
K0 = 0.9999
#: VN-2000 uses the WGS84 ellipsoid.
A = 6_378_137.0
F = 1 / 298.257223563
E2 = F * (2 - F)
#: VN-2000 → WGS84, Decision 05/2007/QĐ-BTNMT (EPSG:6960, coordinate-frame rotation):
#: shifts in m, rotations in arc-seconds, scale in ppm.
SHIFT = (-191.90441429, -39.30318279, -111.45032835)
ROTATION = (-0.00928836, 0.01975479, -0.00427372)
SCALE_PPM = 0.252906278

#: On the central meridian, 2 326 km north of the equator: the latitude of Hà Nội.
NORTHING = 2_326_000.0


def grid(*points: tuple[float, float]) -> LineString:
    """A street drawn in VN-2000 grid metres, handed over in WGS84 like an OSM way."""
    return transform(LineString(points), VN2000_HANOI, WGS84)


def in_grid(geom):  # type: ignore[no-untyped-def]
    return transform(geom, WGS84, VN2000_HANOI)


def north_street(length: float = 200.0) -> LineString:
    return grid((500_000.0, NORTHING), (500_000.0, NORTHING + length))


# --- Lots along a street ----------------------------------------------------------------------


def test_lots_line_a_straight_street_wall_to_wall_at_the_size_asked_for():
    street = north_street()
    sizes = [LotSize(4.0, 12.0), LotSize(6.5, 20.0), LotSize(8.0, 25.0)]

    lots = frontage_lots(street, 10.0, sizes, "left", setback_m=6.0)

    assert [(lot.start_m, lot.end_m) for lot in lots] == [(10.0, 14.0), (14.0, 20.5), (20.5, 28.5)]
    for lot, size in zip(lots, sizes, strict=True):
        assert lot.polygon.is_valid
        # A w × d rectangle of grid metres covers w·d / 0.9999² m² of ground.
        expected = size.frontage_m * size.depth_m / K0**2
        assert float(area_m2(lot.polygon)) == pytest.approx(expected, abs=0.02)
        west, _south, east, _north = in_grid(lot.polygon).bounds
        # Left of a street heading north is west; the front stands back 6 m from the centre line.
        # (1e-2: the WGS84 round trip of the street line costs a few millimetres.)
        assert east == pytest.approx(500_000.0 - 6.0, abs=1e-2)
        assert west == pytest.approx(500_000.0 - 6.0 - size.depth_m, abs=1e-2)
    for a, b in itertools.pairwise(lots):
        # Neighbours share a wall: they meet, and nothing of one lies in the other.
        a_, b_ = in_grid(a.polygon), in_grid(b.polygon)
        assert a_.distance(b_) < 1e-6
        assert a_.intersection(b_).area < 1e-6
        wall = b_.boundary.intersection(a_.buffer(1e-3)).length
        assert wall == pytest.approx(min(a.depth_m, b.depth_m), abs=1e-2)


def test_lots_on_both_sides_of_a_bending_street_never_overlap():
    # 3°: the sharpest bend of Yết Kiêu or Trần Bình Trọng near the demo sites.
    bend = math.radians(3)
    street = grid(
        (500_000.0, NORTHING),
        (500_000.0, NORTHING + 100.0),
        (500_000.0 + 100.0 * math.sin(bend), NORTHING + 100.0 + 100.0 * math.cos(bend)),
    )
    rng = random.Random(3)
    left = frontage_lots(street, 20.0, lot_sizes(rng, 150.0), "left", 7.0)
    right = frontage_lots(street, 20.0, lot_sizes(rng, 150.0), "right", 7.0)
    lots = left + right

    assert len(lots) >= 30
    shapes = [in_grid(lot.polygon) for lot in lots]
    assert all(s.is_valid for s in shapes)
    for a, b in itertools.combinations(shapes, 2):
        assert a.intersection(b).area < 1e-6
    for side in (left, right):
        # Lots at the bend fan out on its outer side and narrow on the inner: each stays near
        # w × d, and a whole side within a couple of per cent.
        for lot in side:
            assert float(area_m2(lot.polygon)) == pytest.approx(lot.frontage_m * lot.depth_m, rel=0.10)
        total = sum(float(area_m2(lot.polygon)) for lot in side)
        assert total == pytest.approx(sum(lot.frontage_m * lot.depth_m for lot in side), rel=0.02)


def test_a_lot_that_does_not_fit_on_the_street_is_refused():
    with pytest.raises(ValueError, match="do not fit"):
        frontage_lots(north_street(50.0), 45.0, [LotSize(6.0, 15.0)], "right", 6.0)


def test_lot_sizes_are_tube_houses_and_repeat_with_the_seed():
    sizes = lot_sizes(random.Random(7), 100.0)

    assert all(4.0 <= s.frontage_m <= 8.0 and 12.0 <= s.depth_m <= 25.0 for s in sizes)
    used = sum(s.frontage_m for s in sizes)
    assert 92.0 < used <= 100.0  # what is left is less than one lot: the mouth of an alley
    assert lot_sizes(random.Random(7), 100.0) == sizes
    assert lot_sizes(random.Random(8), 100.0) != sizes


def test_a_corridor_takes_the_front_of_a_lot_deeper_than_itself():
    street = north_street()
    shallow, deep = frontage_lots(street, 20.0, [LotSize(5.0, 12.0), LotSize(5.0, 25.0)], "right", 6.0)

    boundary = corridor(street, 10.0, 40.0, left_m=26.0, right_m=26.0)

    assert boundary.is_valid
    assert float(area_m2(boundary)) == pytest.approx(30.0 * 52.0 / K0**2, abs=0.05)
    assert boundary.contains(shallow.polygon)
    # The deep lot reaches 31 m from the centre line; the boundary only 26 m: 20 of its 25 m.
    assert not boundary.contains(deep.polygon)
    inside = deep.polygon.intersection(boundary)
    assert float(area_m2(inside)) == pytest.approx(5.0 * 20.0 / K0**2, abs=0.02)


def test_street_ways_join_into_one_line_and_a_gap_is_refused():
    south = grid((500_000.0, NORTHING), (500_000.0, NORTHING + 60.0))
    north = grid((500_000.0, NORTHING + 60.0), (500_010.0, NORTHING + 120.0))
    far = grid((500_000.0, NORTHING + 300.0), (500_000.0, NORTHING + 360.0))

    street = merge_street([north, south])

    assert len(street.coords) == 3
    assert street_length_m(street) == pytest.approx(60.0 + math.hypot(10.0, 60.0), abs=1e-3)
    assert station_m(street, transform(Point(500_003.0, NORTHING + 25.0), VN2000_HANOI, WGS84)) == pytest.approx(25.0, abs=1e-3)
    with pytest.raises(GeometryError, match="không nối"):
        merge_street([south, far])


# --- Areas ------------------------------------------------------------------------------------


def zone_area(lat1: float, lat2: float, dlon: float) -> float:
    """Closed-form area (m²) of the ellipsoid between two parallels over ``dlon`` degrees."""
    e = math.sqrt(E2)
    b2 = (A * (1 - F)) ** 2

    def q(lat: float) -> float:
        s = math.sin(math.radians(lat))
        return s / (1 - E2 * s * s) + math.log((1 + e * s) / (1 - e * s)) / (2 * e)

    return math.radians(dlon) * b2 / 2 * (q(lat2) - q(lat1))


def test_the_area_of_a_small_lonlat_box_in_hanoi_matches_the_ellipsoid_formula():
    box = Polygon([(105.85, 21.02), (105.851, 21.02), (105.851, 21.021), (105.85, 21.021)])

    assert float(area_m2(box)) == pytest.approx(zone_area(21.02, 21.021, 0.001), abs=0.02)


def test_a_hundred_metre_grid_square_is_a_little_more_than_a_hectare_of_ground():
    square = Polygon([(499_950, NORTHING), (500_050, NORTHING), (500_050, NORTHING + 100), (499_950, NORTHING + 100)])

    # Grid metres are 0.9999 ground metres on the central meridian: 10 000 / 0.9999² m² on the
    # VN-2000 ellipsoid (the WGS84 one, so area_m2 measures it as it is).
    assert area_m2(transform(square, VN2000_HANOI, 4756)) == Decimal("10002.00")


# --- Polygon checks ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("geometry", "message"),
    [
        ({"type": "Point", "coordinates": [105.85, 21.02]}, "cần Polygon hoặc MultiPolygon, nhận được Point"),
        (
            # A bowtie: the ring crosses itself.
            {"type": "Polygon", "coordinates": [[[105.85, 21.02], [105.851, 21.021], [105.851, 21.02],
                                                 [105.85, 21.021], [105.85, 21.02]]]},
            "hình không hợp lệ",
        ),
        (
            # VN-2000 metres (Đan Phượng) given as if they were degrees.
            {"type": "Polygon", "coordinates": [[[567_038, 2_332_539], [567_080, 2_332_539], [567_080, 2_332_580],
                                                 [567_038, 2_332_580], [567_038, 2_332_539]]]},
            "ngoài lãnh thổ Việt Nam",
        ),
    ],
    ids=["point", "bowtie", "metres-as-degrees"],
)
def test_parse_polygon_says_what_is_wrong(geometry, message):
    with pytest.raises(GeometryError, match=message):
        parse_polygon(geometry)


def test_parse_polygon_accepts_a_feature_and_gives_a_multipolygon():
    feature = {"type": "Feature", "properties": {}, "geometry": {
        "type": "Polygon", "coordinates": [[[105.85, 21.02], [105.851, 21.02], [105.851, 21.021], [105.85, 21.02]]]}}

    assert parse_polygon(feature).geom_type == "MultiPolygon"


# --- VN-2000 ----------------------------------------------------------------------------------


def test_the_false_origin_of_the_hanoi_grid_is_the_equator_on_the_105th_meridian():
    origin = transform(Point(500_000.0, 0.0), VN2000_HANOI, 4756)  # VN-2000 geographic

    assert origin.x == pytest.approx(105.0, abs=1e-9)
    assert origin.y == pytest.approx(0.0, abs=1e-9)
    # Anywhere at easting 500 000 m is on the central meridian.
    assert transform(Point(500_000.0, NORTHING), VN2000_HANOI, 4756).x == pytest.approx(105.0, abs=1e-9)


def meridian_arc(lat: float) -> float:
    """Metres along the meridian from the equator to ``lat`` (radians): Simpson's rule."""
    n = 2000
    h = lat / n

    def radius(t: float) -> float:
        return A * (1 - E2) / (1 - E2 * math.sin(t) ** 2) ** 1.5

    inner = sum((4 if i % 2 else 2) * radius(i * h) for i in range(1, n))
    return (radius(0.0) + inner + radius(lat)) * h / 3


def latitude_at_northing(northing: float) -> float:
    """On the central meridian the northing is 0.9999 × the meridian arc: invert by bisection."""
    low, high = 0.0, math.pi / 2
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (middle, high) if K0 * meridian_arc(middle) < northing else (low, middle)
    return (low + high) / 2


def vn2000_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """The published seven-parameter shift, by hand: geocentric, rotate, scale, shift, back."""
    s, c = math.sin(lat), math.cos(lat)
    n = A / math.sqrt(1 - E2 * s * s)
    x, y, z = n * c * math.cos(lon), n * c * math.sin(lon), n * (1 - E2) * s
    rx, ry, rz = (math.radians(r / 3600) for r in ROTATION)
    m = 1 + SCALE_PPM * 1e-6
    tx, ty, tz = SHIFT
    x, y, z = (
        tx + m * (x + rz * y - ry * z),
        ty + m * (-rz * x + y + rx * z),
        tz + m * (ry * x - rx * y + z),
    )
    p = math.hypot(x, y)
    lat2 = math.atan2(z, p * (1 - E2))
    for _ in range(10):
        n = A / math.sqrt(1 - E2 * math.sin(lat2) ** 2)
        lat2 = math.atan2(z + E2 * n * math.sin(lat2), p)
    return math.degrees(math.atan2(y, x)), math.degrees(lat2)


def test_a_point_of_the_hanoi_grid_lands_where_the_published_datum_shift_puts_it():
    expected_lon, expected_lat = vn2000_to_wgs84(math.radians(105.0), latitude_at_northing(NORTHING))

    point = transform(Point(500_000.0, NORTHING), VN2000_HANOI, WGS84)

    east_m = (point.x - expected_lon) * 111_320 * math.cos(math.radians(expected_lat))
    north_m = (point.y - expected_lat) * 110_600
    # To the centimetre: the same rotations applied the wrong way round land 0.8 m off.
    assert math.hypot(east_m, north_m) < 0.05
    # The shift itself is far from negligible: about 200 m east of WGS84's own 105th meridian.
    assert (point.x - 105.0) * 111_320 * math.cos(math.radians(point.y)) == pytest.approx(196, abs=10)
