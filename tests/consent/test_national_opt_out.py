"""The national data opt-out round trip: the request file, the cleaned file, the cache, its age."""

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from consent.models import Purpose
from consent.national_opt_out import request_write
from consent.pipeline import national_opt_out_checked_at, use_policy
from consent.pipeline_models import NationalOptOut, NationalOptOutCheck, PipelineCall
from consent.register import choice_record

from .test_pipeline_core import A, B, C

pytestmark = pytest.mark.django_db

COMMISSIONING = "risk-stratification-commissioning"  # the national opt-out applies


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("consent_national_opt_out", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def request_from(tmp_path, text: str, *args: str):
    source = tmp_path / "numbers.txt"
    source.write_text(text)
    out_dir = tmp_path / "outbox"
    out_dir.mkdir(exist_ok=True)
    out, err = run("request", "--from", str(source), "--out-dir", str(out_dir), *args)
    return out_dir / out.strip().rsplit("/", 1)[-1], err


def test_request_file_has_one_number_and_a_comma_a_line_under_a_unique_name(tmp_path):
    path, err = request_from(tmp_path, f"{A}\n{B}\nbad\n{A}\n")

    assert re.fullmatch(r"NDOP-\d{6}-0001\.dat", path.name)
    assert path.read_bytes() == f"{A},\n{B},\n".encode()
    assert "Wrote 2 NHS numbers" in err
    assert "1 duplicates sent once" in err
    assert "Line 3: NHS number must only include numbers" in err
    check = NationalOptOutCheck.objects.get()
    assert (check.file_name, check.numbers_sent, check.completed_at) == (path.name, 2, None)
    assert PipelineCall.objects.get().endpoint == "consent_national_opt_out"


def test_request_line_endings_mailbox_and_sequence_are_configurable(tmp_path):
    first, _ = request_from(tmp_path, f"{A}\n", "--line-ending", "crlf", "--mailbox", "X26OT001")
    second, _ = request_from(tmp_path, f"{B}\n", "--mailbox", "X26OT001")

    assert first.read_bytes() == f"{A},\r\n".encode()
    assert first.name.startswith("X26OT001-")
    assert first.name.endswith("-0001.dat")
    assert second.name.endswith("-0002.dat")


def test_request_from_the_register_sends_everyone_in_it(tmp_path):
    for who in (B, A):
        choice_record(
            nhs_number=who,
            purpose=Purpose.objects.get(code=COMMISSIONING),
            decision="object",
            channel="online",
        )

    out, _ = run("request", "--register", "--out-dir", str(tmp_path))

    assert (tmp_path / out.strip().rsplit("/", 1)[-1]).read_text() == "".join(
        f"{n},\n" for n in sorted([A, B])
    )


def test_request_with_no_numbers_writes_nothing(tmp_path):
    with pytest.raises(CommandError, match="no NHS numbers to send"):
        request_from(tmp_path, "bad\n")

    assert not list((tmp_path / "outbox").iterdir())
    assert not NationalOptOutCheck.objects.exists()


def test_response_caches_sent_minus_returned_and_makes_the_cache_fresh(tmp_path):
    request, _ = request_from(tmp_path, f"{A}\n{B}\n{C}\n")
    cleaned = tmp_path / "outbox" / (request.stem + "_response.dat")
    cleaned.write_text(f"{A},\r\n{C},\r\n")  # B opted out

    out, _ = run("response", str(cleaned))

    assert list(NationalOptOut.objects.values_list("nhs_number", flat=True)) == [B]
    assert "sent 3, returned 2, 1 opted out nationally" in out
    check = NationalOptOutCheck.objects.get()
    assert (check.numbers_returned, check.numbers_opted_out) == (2, 1)
    assert national_opt_out_checked_at() == check.completed_at
    policy = use_policy(Purpose.objects.get(code=COMMISSIONING))
    assert not policy.allows(B)
    assert policy.allows(A)


def test_a_later_check_replaces_the_cache_only_for_the_numbers_it_sent(tmp_path):
    first, _ = request_from(tmp_path, f"{A}\n{B}\n")
    (tmp_path / "first.dat").write_text("")  # both opted out
    run(
        "response",
        str(tmp_path / "first.dat"),
        "--request",
        first.name,
        "--request-dir",
        str(first.parent),
    )
    second, _ = request_from(tmp_path, f"{A}\n")
    (tmp_path / "second.dat").write_text(f"{A},\n")  # A opted back in

    run("response", str(tmp_path / "second.dat"), "--request-dir", str(second.parent))

    assert list(NationalOptOut.objects.values_list("nhs_number", flat=True)) == [B]


def test_a_response_with_numbers_that_were_not_sent_changes_nothing(tmp_path):
    request, _ = request_from(tmp_path, f"{A}\n")
    cleaned = request.parent / "cleaned.dat"
    cleaned.write_text(f"{A},\n{B},\nrubbish,\n")

    with pytest.raises(CommandError) as caught:
        run("response", str(cleaned))

    message = str(caught.value)
    assert "line 2: this NHS number was not in the request" in message
    assert "line 3: NHS number must only include numbers" in message
    assert "Nothing was changed" in message
    assert B not in message
    assert national_opt_out_checked_at() is None


def test_a_response_needs_its_request_file(tmp_path):
    _request, _ = request_from(tmp_path, f"{A}\n")
    cleaned = tmp_path / "cleaned.dat"  # not beside the request file
    cleaned.write_text(f"{A},\n")

    with pytest.raises(CommandError, match="is not in"):
        run("response", str(cleaned))


def test_status_says_whether_the_cache_is_fresh(tmp_path, settings):
    out, _ = run("status")
    assert "never been checked" in out
    with pytest.raises(CommandError, match="too old"):
        run("status", "--check")

    NationalOptOutCheck.objects.create(
        file_name="old.dat",
        requested_at=timezone.now(),
        completed_at=timezone.now()
        - dt.timedelta(hours=settings.CONSENT_NATIONAL_OPT_OUT_MAX_AGE_HOURS + 2),
    )
    out, _ = run("status")
    assert "STALE" in out

    settings.CONSENT_NATIONAL_OPT_OUT_MAX_AGE_HOURS = 1000
    out, _ = run("status", "--check")
    assert "fresh" in out


def test_request_write_refuses_unknown_line_endings(tmp_path):
    with pytest.raises(Exception, match="lf or crlf"):
        request_write([A], out_dir=tmp_path, line_ending="cr")
