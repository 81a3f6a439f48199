"""Server time of the page shell: the floor every other page's time sits on."""

import pytest

from .conftest import server_get, summarise, time_calls

pytestmark = pytest.mark.django_db


def test_page_shell_server_time(report):
    for path in ["/", "/cookies/", "/accounts/login/", "/healthz"]:
        timings = time_calls(lambda path=path: server_get(path), repeat=200)
        report(summarise(f"GET {path}", timings))
