import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from search.models import Postcode, PostcodeDistrict
from search.postcodes import (
    PostcodeError,
    bounding_box,
    chord_squared,
    geocode,
    haversine_miles,
    miles_from_chord_squared,
    normalise_postcode,
    unit_vector,
)

INVALID = "Enter a full UK postcode, like SS2 6ER"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("SS2 6ER", "SS2 6ER"),
        ("ss26er", "SS2 6ER"),
        (" ss2  6er ", "SS2 6ER"),
        ("Ss2 6eR", "SS2 6ER"),
        ("S S 2 6 E R", "SS2 6ER"),
        ("SS2\t6ER\n", "SS2 6ER"),
        ("SS2\u00a06ER", "SS2 6ER"),  # a non-breaking space, as pasted from a web page
        ("M1 1AE", "M1 1AE"),  # A9
        ("B33 8TH", "B33 8TH"),  # A99
        ("CR2 6XH", "CR2 6XH"),  # AA9
        ("DN55 1PT", "DN55 1PT"),  # AA99
        ("W1A 0AX", "W1A 0AX"),  # A9A
        ("EC1A 1BB", "EC1A 1BB"),  # AA9A
        ("ec1a1bb", "EC1A 1BB"),
        ("SS99 9ZZ", "SS99 9ZZ"),  # the right shape, whether or not it exists
        ("GIR 0AA", "GIR 0AA"),
        ("gir0aa", "GIR 0AA"),
        ("SS2 66ER", "SS26 6ER"),  # spaces are ignored: the last three characters are inward
    ],
)
def test_normalise_postcode_accepts_full_postcodes_however_typed(raw, expected):
    assert normalise_postcode(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "SS1",  # a district, not a full postcode
        "SS1 1A",
        "SS1 1",
        "12345",
        "SS2 6E1",
        "SS2 ER6",
        "S 6ER",
        "1S2 6ER",
        "SSS2 6ER",
        "SS2A2 6ER",  # outward code too long
        "SS22A 6ER",
        "SS2-6ER",
        "SS2_6ER",
        "GIR 0AB",  # only GIR 0AA breaks the pattern
        "GIR",
        "ＳＳ２ ６ＥＲ",  # full-width letters and digits
        "SS٢ 6ER",  # an Arabic-Indic digit two
        "ß2 6ER",  # upper-cases to 'SS2 6ER'; must not be accepted
        "SS2 6ER\u200b",  # a zero-width space
        "SS2 6ÉR",
        "😀",
        "SS2 6ER" * 20,
        "S" * 10_000 + "2 6ER",
        " " * 10_000 + "SS2 6ER",
        "SS2 6ER; DROP TABLE search_postcode",
    ],
)
def test_normalise_postcode_rejects_anything_else(raw):
    assert normalise_postcode(raw) is None


@given(st.text())
def test_normalise_postcode_never_raises_and_is_a_fixed_point(raw):
    normalised = normalise_postcode(raw)
    if normalised is not None:
        assert normalise_postcode(normalised) == normalised
        assert len(normalised) <= 8


@given(
    st.from_regex(r"\A[A-Za-z]{1,2}[0-9][A-Za-z0-9]?[0-9][A-Za-z]{2}\Z"),
    st.sampled_from(["", " ", "  ", "\t"]),
)
def test_normalise_postcode_accepts_every_full_postcode_shape(compact, padding):
    normalised = normalise_postcode(f"{padding}{compact}{padding}")
    assert normalised == f"{compact[:-3].upper()} {compact[-3:].upper()}"


@pytest.fixture
def southend(db):
    Postcode.objects.create(postcode="SS2 6ER", outward="SS2", latitude=51.55, longitude=0.72)
    PostcodeDistrict.objects.create(outward="SS2", latitude=51.552, longitude=0.720)
    PostcodeDistrict.objects.create(outward="SS1", latitude=51.538, longitude=0.726)


def test_geocode_finds_a_known_postcode(southend):
    location = geocode(" ss26er ")

    assert location.query == " ss26er "
    assert location.label == "SS2 6ER"
    assert (location.latitude, location.longitude) == (51.55, 0.72)
    assert not location.is_district_fallback


def test_geocode_falls_back_to_the_district_of_an_unknown_postcode(southend):
    location = geocode("SS1 9ZZ")

    assert location.query == "SS1 9ZZ"
    assert location.label == "SS1"
    assert (location.latitude, location.longitude) == (51.538, 0.726)
    assert location.is_district_fallback


def test_geocode_refuses_a_postcode_in_an_unknown_district(southend):
    with pytest.raises(PostcodeError) as raised:
        geocode("zz9 9zz")

    assert raised.value.message == "We could not find ZZ9 9ZZ. Check it and try again"


@pytest.mark.parametrize("raw", ["", "SS1", "SS2 6E", "not a postcode"])
def test_geocode_refuses_what_is_not_a_full_postcode(southend, raw):
    with pytest.raises(PostcodeError) as raised:
        geocode(raw)

    assert raised.value.message == INVALID


def test_postcode_error_is_a_value_error_carrying_its_message():
    error = PostcodeError(INVALID)

    assert isinstance(error, ValueError)
    assert str(error) == error.message == INVALID


def test_haversine_london_to_southend_is_about_36_miles():
    charing_cross = (51.5074, -0.1278)
    southend_pier = (51.5459, 0.7077)

    assert 36 <= haversine_miles(*charing_cross, *southend_pier) <= 37


def test_haversine_is_zero_for_the_same_point_and_symmetric():
    assert haversine_miles(51.55, 0.72, 51.55, 0.72) == 0
    there = haversine_miles(51.5, -0.1, 55.9, -3.2)
    back = haversine_miles(55.9, -3.2, 51.5, -0.1)
    assert there == pytest.approx(back)


def test_haversine_one_degree_of_latitude_is_about_69_miles():
    assert haversine_miles(51, 0, 52, 0) == pytest.approx(69.1, abs=0.1)


def _destination(lat: float, lon: float, bearing: float, miles: float) -> tuple[float, float]:
    """The point `miles` along a great circle from (lat, lon) on `bearing` degrees."""
    angular = miles / 3958.8
    phi, lam, theta = math.radians(lat), math.radians(lon), math.radians(bearing)
    phi2 = math.asin(
        math.sin(phi) * math.cos(angular) + math.cos(phi) * math.sin(angular) * math.cos(theta)
    )
    lam2 = lam + math.atan2(
        math.sin(theta) * math.sin(angular) * math.cos(phi),
        math.cos(angular) - math.sin(phi) * math.sin(phi2),
    )
    return math.degrees(phi2), math.degrees(lam2)


def _inside(box: tuple[float, float, float, float], lat: float, lon: float) -> bool:
    min_lat, max_lat, min_lon, max_lon = box
    return min_lat <= lat <= max_lat and min_lon <= lon <= max_lon


@pytest.mark.parametrize("miles", [0.1, 1, 3, 5, 10, 50])
@pytest.mark.parametrize(("lat", "lon"), [(51.55, 0.72), (60.15, -1.15), (-33.9, 151.2)])
def test_bounding_box_contains_the_circle(lat, lon, miles):
    box = bounding_box(lat, lon, miles)

    for bearing in range(0, 360, 5):
        point = _destination(lat, lon, bearing, miles)
        assert haversine_miles(lat, lon, *point) == pytest.approx(miles)
        assert _inside(box, *point), bearing


def test_bounding_box_reaches_the_circle_in_all_four_directions():
    lat, lon, miles = 51.55, 0.72, 5
    min_lat, max_lat, min_lon, max_lon = bounding_box(lat, lon, miles)

    assert haversine_miles(lat, lon, max_lat, lon) == pytest.approx(miles)
    assert haversine_miles(lat, lon, min_lat, lon) == pytest.approx(miles)
    # Along the parallel the box edge is a little beyond the circle, never inside it.
    assert miles <= haversine_miles(lat, lon, lat, max_lon) < miles * 1.01
    assert miles <= haversine_miles(lat, lon, lat, min_lon) < miles * 1.01


def test_bounding_box_of_zero_miles_is_the_point():
    min_lat, max_lat, min_lon, max_lon = bounding_box(51.55, 0.72, 0)

    assert min_lat == pytest.approx(max_lat) == pytest.approx(51.55)
    assert min_lon == pytest.approx(max_lon) == pytest.approx(0.72)


@pytest.mark.parametrize(("lat", "lon"), [(89.99, 10), (-89.99, 10), (0, 179.99), (0, -179.99)])
def test_bounding_box_widens_to_every_longitude_rather_than_wrap(lat, lon):
    min_lat, max_lat, min_lon, max_lon = bounding_box(lat, lon, 10)

    assert (min_lon, max_lon) == (-180, 180)
    assert -90 <= min_lat <= max_lat <= 90


def test_bounding_box_refuses_a_negative_distance():
    with pytest.raises(ValueError, match="negative"):
        bounding_box(51.55, 0.72, -1)


def _chord_squared_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    return sum((p - q) ** 2 for p, q in zip(unit_vector(*a), unit_vector(*b), strict=True))


@given(
    st.floats(min_value=49.8, max_value=60.9),
    st.floats(min_value=-8.7, max_value=1.8),
    st.floats(min_value=49.8, max_value=60.9),
    st.floats(min_value=-8.7, max_value=1.8),
)
def test_distance_from_unit_vectors_is_the_haversine_distance(lat1, lon1, lat2, lon2):
    """The database engine measures distance as a chord between unit vectors (arithmetic
    that SQL can do): it must give the same miles as the great-circle formula."""
    chord = _chord_squared_between((lat1, lon1), (lat2, lon2))

    assert miles_from_chord_squared(chord) == pytest.approx(
        haversine_miles(lat1, lon1, lat2, lon2), abs=1e-6
    )


@pytest.mark.parametrize("miles", [0.25, 1, 3, 10, 50])
def test_a_point_exactly_at_the_radius_is_within_its_chord(miles):
    origin = (51.538, 0.726)
    for bearing in range(0, 360, 30):
        point = _destination(*origin, bearing, miles)
        assert _chord_squared_between(origin, point) == pytest.approx(chord_squared(miles))
    assert miles_from_chord_squared(chord_squared(miles)) == pytest.approx(miles)


def test_nearer_places_have_smaller_chords():
    origin = (51.538, 0.726)
    chords = [_chord_squared_between(origin, _destination(*origin, 45, m)) for m in (1, 2, 5, 20)]

    assert chords == sorted(chords)
    assert len(set(chords)) == 4
