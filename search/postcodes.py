"""UK postcodes: normalise what people type, find where it is, and measure distances.

`geocode` is what search calls for a postcode search; `haversine_miles` and `bounding_box`
let engines pre-filter locations on an index before computing exact distances, and
`unit_vector` with `chord_squared` let a database compute those distances itself.
"""

from __future__ import annotations

import math
import re

from .models import Postcode, PostcodeDistrict
from .query import InterpretedLocation

EXAMPLE_POSTCODE = "SS2 6ER"
INVALID_MESSAGE = f"Enter a full UK postcode, like {EXAMPLE_POSTCODE}"
NOT_FOUND_MESSAGE = "We could not find {postcode}. Check it and try again"

EARTH_RADIUS_MILES = 3958.8  # mean radius (IUGG): 6,371.0088 km

# Outward code A9, A99, AA9, AA99, A9A or AA9A; inward code a digit and two letters. The
# format only: whether a postcode exists is for the Postcode table to say. GIR 0AA is the one
# postcode outside the pattern.
_POSTCODE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}|GIR 0AA", re.ASCII)
# The longest postcode is 8 characters with its space; anything much longer is not one, so
# don't spend time on pasted essays.
_MAX_INPUT_LENGTH = 64


class PostcodeError(ValueError):
    """A postcode we cannot use. `message` is written for the person who typed it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def normalise_postcode(raw: str) -> str | None:
    """'ss26er' -> 'SS2 6ER'. None unless the result has the shape of a full UK postcode."""
    if len(raw) > _MAX_INPUT_LENGTH:
        return None
    # split() with no argument also drops tabs and the non-breaking spaces of pasted text.
    compact = "".join(raw.split())
    # Only ASCII: str.upper() would turn 'ß' into 'SS' and let lookalike letters through.
    if not compact.isascii() or len(compact) < 5:
        return None
    compact = compact.upper()
    candidate = f"{compact[:-3]} {compact[-3:]}"
    return candidate if _POSTCODE.fullmatch(candidate) else None


def geocode(raw: str) -> InterpretedLocation:
    """Where a typed postcode is, falling back to its district's centre if we don't know it.

    Raises PostcodeError when it is not a full postcode, or neither it nor its district is
    known.
    """
    postcode = normalise_postcode(raw)
    if postcode is None:
        raise PostcodeError(INVALID_MESSAGE)
    found = Postcode.objects.filter(postcode=postcode).values_list("latitude", "longitude")
    if point := found.first():
        return InterpretedLocation(query=raw, label=postcode, latitude=point[0], longitude=point[1])
    # A new postcode, or one the directory we loaded hasn't caught up with: the district's
    # centre is near enough to list nearby services.
    outward = postcode.split(" ", 1)[0]
    district = PostcodeDistrict.objects.filter(outward=outward).values_list("latitude", "longitude")
    if point := district.first():
        return InterpretedLocation(
            query=raw,
            label=outward,
            latitude=point[0],
            longitude=point[1],
            is_district_fallback=True,
        )
    raise PostcodeError(NOT_FOUND_MESSAGE.format(postcode=postcode))


def haversine_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance in miles between two points given in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    # min() because rounding can push `a` a hair above 1 for antipodal points.
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(min(1.0, a)))


def unit_vector(lat: float, lon: float) -> tuple[float, float, float]:
    """A place as a point (x, y, z) on a sphere of radius 1.

    The straight-line (chord) distance between two such points orders places exactly as the
    great-circle distance does and needs only arithmetic, so any database can filter and sort
    by distance without trigonometry: see `chord_squared` and `miles_from_chord_squared`.
    """
    phi, lam = math.radians(lat), math.radians(lon)
    return math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi)


def chord_squared(miles: float) -> float:
    """The squared chord between unit vectors `miles` apart along the surface."""
    return (2 * math.sin(min(math.pi, miles / EARTH_RADIUS_MILES) / 2)) ** 2


def miles_from_chord_squared(value: float) -> float:
    """The great-circle distance in miles for a squared chord between unit vectors (the
    inverse of `chord_squared`; the same figure `haversine_miles` gives)."""
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(max(0.0, value)) / 2))


def bounding_box(lat: float, lon: float, miles: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) of a box containing every point within `miles`.

    For an indexed pre-filter: keep rows inside the box, then check `haversine_miles`. Near a
    pole or across the 180° meridian the box widens to every longitude rather than wrap.
    """
    if miles < 0:
        raise ValueError("miles must not be negative")
    angular = miles / EARTH_RADIUS_MILES
    # A hair of slack (about 0.1 mm) so points exactly at the radius survive float rounding.
    slack = 1e-9
    d_lat = math.degrees(angular) + slack
    min_lat, max_lat = lat - d_lat, lat + d_lat
    if min_lat <= -90 or max_lat >= 90:
        return max(min_lat, -90.0), min(max_lat, 90.0), -180.0, 180.0
    # The circle's widest longitude is at its tangent points, slightly poleward of its centre,
    # which is why this is asin(sin/cos) and not angular/cos(lat).
    ratio = math.sin(angular) / math.cos(math.radians(lat))
    if ratio >= 1:
        return min_lat, max_lat, -180.0, 180.0
    d_lon = math.degrees(math.asin(ratio)) + slack
    min_lon, max_lon = lon - d_lon, lon + d_lon
    if min_lon < -180 or max_lon > 180:
        return min_lat, max_lat, -180.0, 180.0
    return min_lat, max_lat, min_lon, max_lon
