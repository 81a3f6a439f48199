"""Self-care tests run the example definitions in tests/selfcare/definitions/ beside the
built-in ones (selfcare.engine.definition_dirs)."""

from pathlib import Path

import pytest

EXAMPLE_DIR = Path(__file__).resolve().parent / "definitions"


@pytest.fixture(autouse=True)
def _example_definitions(settings):
    settings.SELFCARE_EXTRA_DEFINITION_DIRS = [str(EXAMPLE_DIR)]
