"""Demo postcodes: the demo area's districts and the postcodes the demo directory uses."""

import csv
from pathlib import Path

from .models import Postcode, PostcodeDistrict

DATA_DIR = Path(__file__).parent / "data"


def load_demo_postcodes() -> tuple[int, int]:
    """Load the shipped demo postcode tables; safe to run again. Returns (created, unchanged)."""
    created = unchanged = 0
    with open(DATA_DIR / "demo_postcode_districts.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            _, was_created = PostcodeDistrict.objects.update_or_create(
                outward=row["outward"],
                defaults={"latitude": float(row["latitude"]), "longitude": float(row["longitude"])},
            )
            created, unchanged = created + was_created, unchanged + (not was_created)
    with open(DATA_DIR / "demo_postcodes.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            postcode = row["postcode"]
            _, was_created = Postcode.objects.update_or_create(
                postcode=postcode,
                defaults={
                    "outward": postcode.split()[0],
                    "latitude": float(row["latitude"]),
                    "longitude": float(row["longitude"]),
                },
            )
            created, unchanged = created + was_created, unchanged + (not was_created)
    return created, unchanged
