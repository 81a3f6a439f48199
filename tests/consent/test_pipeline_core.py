"""consent.pipeline's core: reading NHS numbers (text, CSV, JSON; errors by line), the bulk
check's two passes, the use policy and the per-purpose pseudonym keys."""

import datetime as dt
import hashlib
import hmac

import pytest
from django.utils import timezone

from consent.bulk_check import MAX_REPORTED_INVALID, check_prepare
from consent.models import Purpose
from consent.nhs_number import NOT_VALID, ONLY_NUMBERS, TEN_DIGITS, TEST_NUMBER
from consent.pipeline import (
    NationalOptOutStale,
    NumberLine,
    PipelineError,
    PseudonymKeyMissing,
    numbers_read,
    numbers_scan,
    pseudonym_key,
    pseudonymiser,
    use_policy,
)
from consent.pipeline_models import NationalOptOut, NationalOptOutCheck
from consent.register import choice_record

from .test_register import nhs_number

A, B, C = "9434765919", "9434765870", "4010232137"
TEST_RANGE = "9990000018"  # a valid check digit in the 999 test range


def read(data: bytes, fmt: str, size: int | None = None) -> list[NumberLine]:
    return list(numbers_read(split(data, size), fmt))


def scan(data: bytes, fmt: str, size: int | None = None) -> tuple[list[str], list[NumberLine]]:
    valid: list[str] = []
    invalid: list[NumberLine] = []
    for numbers, bad in numbers_scan(split(data, size), fmt):
        valid.extend(n.decode() for n in numbers)
        invalid.extend(bad)
    return valid, invalid


def split(data: bytes, size: int | None) -> list[bytes]:
    if size is None:
        return [data]
    return [data[i : i + size] for i in range(0, len(data), size)]


def agree(data: bytes, fmt: str) -> list[NumberLine]:
    """Both readers, over every chunk size that matters, give the same items."""
    expected = read(data, fmt)
    for size in (1, 2, 3, 7, 11, len(data) or 1):
        assert read(data, fmt, size) == expected
        valid, invalid = scan(data, fmt, size)
        assert valid == [item.nhs_number for item in expected if item.nhs_number]
        assert invalid == [item for item in expected if item.nhs_number is None]
    return expected


# --- text ------------------------------------------------------------------------------------


def test_text_reads_one_number_a_line_with_crlf_blank_lines_and_formatting():
    data = f"{A}\r\n\r\n  {B[:3]} {B[3:6]} {B[6:]}  \r\n{C[:3]}-{C[3:6]}-{C[6:]}\n\n".encode()

    items = agree(data, "text")

    assert items == [NumberLine(1, A), NumberLine(3, B), NumberLine(4, C)]


def test_text_reports_invalid_items_by_line_with_what_is_wrong():
    data = f"{A}\nabc\n12345\n{A[:9]}0\n\n{TEST_RANGE}\n1111111111\n{C}".encode()

    items = agree(data, "text")

    assert [(i.line, i.nhs_number, i.error) for i in items] == [
        (1, A, None),
        (2, None, ONLY_NUMBERS),
        (3, None, TEN_DIGITS),
        (4, None, NOT_VALID),
        (6, TEST_RANGE, None),  # the test settings allow the 999 range
        (7, None, NOT_VALID),  # all the same digit passes Modulus 11 but is refused
        (8, C, None),
    ]


def test_test_range_numbers_are_refused_where_not_allowed(settings):
    settings.CONSENT_ALLOW_TEST_NHS_NUMBERS = False

    items = agree(f"{TEST_RANGE}\n{A}\n".encode(), "text")

    assert items == [NumberLine(1, None, TEST_NUMBER), NumberLine(2, A)]


def test_a_byte_order_mark_is_ignored_even_split_across_chunks():
    data = b"\xef\xbb\xbf" + f"{A}\n{B}".encode()

    assert agree(data, "text") == [NumberLine(1, A), NumberLine(2, B)]
    assert agree(data, "csv") == [NumberLine(1, A), NumberLine(2, B)]


@pytest.mark.parametrize("fmt", ["text", "csv", "json"])
def test_input_that_is_not_utf8_is_refused(fmt):
    data = b'["' + A.encode() + b'", "\xff\xfe"]' if fmt == "json" else A.encode() + b"\n\xff\n"

    for reader in (read, scan):
        with pytest.raises(PipelineError) as caught:
            reader(data, fmt)
        assert caught.value.status == 400
        assert caught.value.detail == "The input is not UTF-8 text."


def test_an_unknown_format_is_refused():
    with pytest.raises(PipelineError) as caught:
        read(b"x", "xml")

    assert caught.value.status == 415


# --- CSV -------------------------------------------------------------------------------------


def test_csv_takes_the_nhs_number_column_named_in_the_header():
    data = f'Name,NHS Number,Note\r\n"Smith, J",{A},x\r\n,,\r\nJones,{B}\r\nLee\r\n'.encode()

    items = agree(data, "csv")

    assert items == [
        NumberLine(2, A),
        NumberLine(4, B),
        NumberLine(5, None, "This row has no NHS number column"),
    ]


def test_csv_takes_the_first_column_and_skips_some_other_header():
    data = f"id,value\n{A},1\nnot a number,2\n".encode()

    assert agree(data, "csv") == [NumberLine(2, A), NumberLine(3, None, ONLY_NUMBERS)]


def test_csv_without_a_header_starts_at_line_one_even_if_it_is_invalid():
    data = f"{A[:9]}0,1\n{B},2\n".encode()

    assert agree(data, "csv") == [NumberLine(1, None, NOT_VALID), NumberLine(2, B)]


def test_csv_line_numbers_count_lines_inside_quoted_fields():
    data = f'nhs_number,note\n{A},"two\nlines"\nbad,x\n'.encode()

    assert agree(data, "csv") == [NumberLine(2, A), NumberLine(4, None, ONLY_NUMBERS)]


# --- JSON ------------------------------------------------------------------------------------


def test_json_array_split_across_chunks_at_every_position():
    data = f'  ["{A}", {int(B)}, "{C[:3]} {C[3:]}", "bad" ]  '.encode()
    expected = [NumberLine(1, A), NumberLine(2, B), NumberLine(3, C)]

    for cut in range(len(data) + 1):
        items = list(numbers_read([data[:cut], data[cut:]], "json"))
        assert items[:3] == expected, cut
        assert items[3] == NumberLine(4, None, ONLY_NUMBERS)
    assert agree(data, "json")[:3] == expected


def test_json_object_with_nhs_numbers_is_accepted():
    assert read(f'{{"nhs_numbers": ["{A}"]}}'.encode(), "json") == [NumberLine(1, A)]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"numbers": []}', "JSON input must be an array of NHS numbers"),
        (b"nonsense", "JSON input must be an array of NHS numbers"),
        (b'["9434765919" "9434765870"]', "A comma is missing after item 1 of the array."),
        (b'["9434765919",,]', "The JSON array has an empty item after item 1."),
        (b'["9434765919"', "The JSON array is not closed with ]."),
        (b'["9434765919", true]', "The JSON array is not valid after item 1."),
        (b'["9434765919"] extra', "There is text after the JSON array."),
    ],
)
def test_malformed_json_is_refused_with_a_message_that_says_where(body, message):
    with pytest.raises(PipelineError) as caught:
        read(body, "json")

    assert caught.value.status == 400
    assert caught.value.detail.startswith(message)
    assert "9434765919" not in caught.value.detail


# --- the bulk check's two passes -------------------------------------------------------------


def test_check_prepare_counts_reports_invalid_lines_and_streams_allowed_in_order(db):
    purpose = Purpose.objects.get(code="risk-stratification-case-finding")
    choice_record(nhs_number=B, purpose=purpose, decision="object", channel="online")
    data = f"{C}\n{B}\nbad\n{A}\n".encode()

    with check_prepare([data], "text") as prepared:
        assert (prepared.checked, prepared.invalid) == (3, 1)
        assert prepared.invalid_lines == [NumberLine(3, None, ONLY_NUMBERS)]
        assert list(prepared.allowed(use_policy(purpose))) == [C, A]
        assert prepared.allowed_count == 2


def test_check_prepare_keeps_only_the_first_invalid_lines_but_counts_all():
    data = b"bad\n" * (MAX_REPORTED_INVALID + 5)

    with check_prepare(split(data, 100), "text") as prepared:
        assert prepared.invalid == MAX_REPORTED_INVALID + 5
        assert len(prepared.invalid_lines) == MAX_REPORTED_INVALID
        assert prepared.invalid_lines[-1].line == MAX_REPORTED_INVALID


def test_check_prepare_refuses_empty_and_oversized_input():
    with pytest.raises(PipelineError) as empty:
        check_prepare([b"\n\n"], "text")
    with pytest.raises(PipelineError) as large:
        check_prepare([f"{A}\n".encode()] * 10, "text", max_bytes=50)

    assert empty.value.status == 400
    assert large.value.status == 413


def test_check_prepare_handles_a_large_input_in_bounded_blocks(db):
    numbers = [nhs_number(400_000_000 + 20 * i) for i in range(70_000)]
    purpose = Purpose.objects.get(code="direct-care-sharing")

    with check_prepare(split("\n".join(numbers).encode(), 65536), "text") as prepared:
        blocks = list(prepared.allowed_blocks(use_policy(purpose)))

    assert len(blocks) == 2  # 65,536 numbers a block
    assert [n for block in blocks for n in block] == numbers


# --- the use policy --------------------------------------------------------------------------


def fresh_national_opt_out(*opted_out: str, at: dt.datetime | None = None) -> None:
    check = NationalOptOutCheck.objects.create(
        file_name=f"NDOP-{NationalOptOutCheck.objects.count()}.dat",
        requested_at=at or timezone.now(),
        completed_at=at or timezone.now(),
    )
    NationalOptOut.objects.bulk_create(
        NationalOptOut(nhs_number=n, from_check=check) for n in opted_out
    )


@pytest.mark.django_db
def test_objections_are_honoured_and_others_allowed():
    purpose = Purpose.objects.get(code="risk-stratification-case-finding")
    choice_record(nhs_number=A, purpose=purpose, decision="object", channel="online")

    policy = use_policy(purpose)

    assert not policy.allows(A)
    assert policy.allows(B)


@pytest.mark.django_db
def test_consent_purposes_allow_only_consent_and_respect_the_national_opt_out():
    research = Purpose.objects.get(code="research")
    for who in (A, B):
        choice_record(
            nhs_number=who,
            purpose=research,
            decision="consent",
            channel="online",
            identity_result="verified",
        )
    fresh_national_opt_out(B)

    policy = use_policy(research)

    assert policy.allows(A)
    assert not policy.allows(B)  # consented, but opted out nationally
    assert not policy.allows(C)  # no consent


@pytest.mark.django_db
def test_a_stale_or_missing_national_opt_out_cache_fails_closed(settings):
    purpose = Purpose.objects.get(code="risk-stratification-commissioning")

    with pytest.raises(NationalOptOutStale, match="never been checked") as never:
        use_policy(purpose)
    fresh_national_opt_out(
        at=timezone.now() - dt.timedelta(hours=settings.CONSENT_NATIONAL_OPT_OUT_MAX_AGE_HOURS + 1)
    )
    with pytest.raises(NationalOptOutStale, match="hours ago") as stale:
        use_policy(purpose)

    assert never.value.status == stale.value.status == 503
    # Purposes the national opt-out does not apply to carry on.
    assert use_policy(Purpose.objects.get(code="direct-care-sharing")).allows(A)


# --- pseudonym keys --------------------------------------------------------------------------

KEY = "k" * 40
CODE = "risk-stratification-commissioning"


def expected(key: str, number: str) -> str:
    return hmac.new(key.encode(), number.encode(), hashlib.sha256).hexdigest()


def test_the_key_comes_from_the_purposes_environment_variable(monkeypatch):
    monkeypatch.setenv("IG_PSEUDONYM_KEY_RISK_STRATIFICATION_COMMISSIONING", KEY)

    assert pseudonymiser(CODE)(A) == expected(KEY, A)


def test_the_key_comes_from_a_secret_file(settings, tmp_path, monkeypatch):
    monkeypatch.delenv("IG_PSEUDONYM_KEY_RISK_STRATIFICATION_COMMISSIONING", raising=False)
    (tmp_path / CODE).write_text(KEY + "\n")
    settings.IG_PSEUDONYM_KEYS_DIR = str(tmp_path)

    assert pseudonym_key(CODE) == KEY.encode()
    assert pseudonymiser(CODE)(A) == expected(KEY, A)


def test_a_short_key_is_refused(monkeypatch):
    monkeypatch.setenv("IG_PSEUDONYM_KEY_RISK_STRATIFICATION_COMMISSIONING", "short")

    with pytest.raises(PipelineError, match="at least 32 characters") as caught:
        pseudonym_key(CODE)

    assert "short" not in caught.value.detail


def test_a_missing_key_stops_in_production_like_settings(settings, monkeypatch):
    monkeypatch.delenv("IG_PSEUDONYM_KEY_RISK_STRATIFICATION_COMMISSIONING", raising=False)
    settings.IG_PSEUDONYM_DEV_KEYS = False
    settings.IG_PSEUDONYM_KEYS_DIR = ""

    with pytest.raises(PseudonymKeyMissing) as caught:
        pseudonymiser(CODE)

    assert caught.value.status == 503
    assert "IG_PSEUDONYM_KEY_RISK_STRATIFICATION_COMMISSIONING" in caught.value.detail


def test_different_purposes_give_different_pseudonyms_and_each_is_stable():
    commissioning = pseudonymiser(CODE)
    pathways = pseudonymiser("pathway-analysis")

    assert commissioning(A) == commissioning(A)
    assert commissioning(A) != pathways(A)
    assert len(commissioning(A)) == 64
