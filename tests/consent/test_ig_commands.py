"""The IG pipeline commands: consent_filter, ig_pseudonymise, consent_export_pseudonyms."""

import csv
import datetime as dt
import io
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from consent.models import Purpose
from consent.pipeline import pseudonymiser
from consent.pipeline_models import PipelineCall
from consent.pseudonymise import age_band, gender_code, postcode_sector, pseudonymiser_fast
from consent.register import choice_record

from .test_pipeline_core import A, B, C, fresh_national_opt_out
from .test_pipeline_core import expected as expected_pseudonym

pytestmark = pytest.mark.django_db

CASE_FINDING = "risk-stratification-case-finding"  # objections honoured, no national opt-out
COMMISSIONING = "risk-stratification-commissioning"  # national opt-out applies


def run(name: str, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(name, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def object_to(code: str, who: str) -> None:
    choice_record(
        nhs_number=who, purpose=Purpose.objects.get(code=code), decision="object", channel="online"
    )


# --- consent_filter --------------------------------------------------------------------------


def test_filter_writes_only_the_numbers_the_purpose_may_use(tmp_path):
    object_to(CASE_FINDING, B)
    source, target = tmp_path / "in.txt", tmp_path / "out.txt"
    source.write_text(f"{A}\n{B}\n{C}\n")

    out, _ = run("consent_filter", "--purpose", CASE_FINDING, str(source), str(target))

    assert target.read_text() == f"{A}\n{C}\n"
    assert "checked 3, allowed 2, not allowed 1, invalid 0" in out
    call = PipelineCall.objects.get()
    assert (call.system, call.endpoint, call.purpose_code, call.status) == (
        None,
        "consent_filter",
        CASE_FINDING,
        0,
    )
    assert (call.numbers_received, call.numbers_returned, call.numbers_invalid) == (3, 2, 0)


def test_filter_reports_invalid_numbers_by_line_and_carries_on(tmp_path):
    source, target = tmp_path / "in.txt", tmp_path / "out.txt"
    source.write_text(f"{A}\n123\n{A[:9]}0\n{C}\n")

    out, err = run("consent_filter", "--purpose", CASE_FINDING, str(source), str(target))

    assert target.read_text() == f"{A}\n{C}\n"
    assert "Line 2: NHS number must be 10 digits" in err
    assert "Line 3: Enter a real NHS number" in err
    assert A[:9] not in err  # messages name lines, never numbers
    assert "invalid 2 (first at 2, 3)" in out


def test_filter_strict_stops_without_writing_out(tmp_path):
    source, target = tmp_path / "in.txt", tmp_path / "out.txt"
    source.write_text(f"{A}\nnope\n")

    with pytest.raises(CommandError, match="nothing was written"):
        run("consent_filter", "--purpose", CASE_FINDING, "--strict", str(source), str(target))

    assert not target.exists()
    assert not list(tmp_path.glob("*.partial"))


def test_filter_reads_csv_by_extension_and_json_by_format(tmp_path):
    csv_in, json_in = tmp_path / "in.csv", tmp_path / "numbers.data"
    csv_in.write_text(f"Name,NHS Number\nX,{A}\nY,{B}\n")
    json_in.write_text(f'["{B}", "{C}"]')

    run("consent_filter", "--purpose", CASE_FINDING, str(csv_in), str(tmp_path / "a"))
    run(
        "consent_filter",
        "--purpose",
        CASE_FINDING,
        "--format",
        "json",
        str(json_in),
        str(tmp_path / "b"),
    )

    assert (tmp_path / "a").read_text() == f"{A}\n{B}\n"
    assert (tmp_path / "b").read_text() == f"{B}\n{C}\n"


def test_filter_reads_standard_input_and_writes_standard_output(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(f"{A}\n{B}\n".encode())))

    out, err = run("consent_filter", "--purpose", CASE_FINDING, "-", "-")

    assert out == f"{A}\n{B}\n"  # only the numbers: the summary goes to stderr
    assert "allowed 2" in err


def test_filter_shows_progress_on_stderr_when_asked(tmp_path):
    source, target = tmp_path / "in.txt", tmp_path / "out.txt"
    source.write_text(f"{A}\n")

    _, err = run(
        "consent_filter", "--purpose", CASE_FINDING, "--progress", str(source), str(target)
    )

    assert "Checking: done" in err
    assert target.read_text() == f"{A}\n"


def test_filter_refuses_an_unknown_purpose_and_unreadable_input(tmp_path):
    with pytest.raises(CommandError, match="There is no active purpose 'nope'"):
        run("consent_filter", "--purpose", "nope", "in.txt", "out.txt")
    with pytest.raises(CommandError, match="Cannot read"):
        run("consent_filter", "--purpose", CASE_FINDING, str(tmp_path / "missing"), "out.txt")


def test_filter_fails_closed_when_the_national_opt_out_cache_is_stale(tmp_path):
    source, target = tmp_path / "in.txt", tmp_path / "out.txt"
    source.write_text(f"{A}\n")
    fresh_national_opt_out(at=timezone.now() - dt.timedelta(days=30))

    with pytest.raises(CommandError, match="national data opt-out was last checked"):
        run("consent_filter", "--purpose", COMMISSIONING, str(source), str(target))

    assert not target.exists()
    assert not PipelineCall.objects.exists()


def test_filter_drops_national_opt_outs_when_the_cache_is_fresh(tmp_path):
    source, target = tmp_path / "in.txt", tmp_path / "out.txt"
    source.write_text(f"{A}\n{B}\n")
    fresh_national_opt_out(A)

    run("consent_filter", "--purpose", COMMISSIONING, str(source), str(target))

    assert target.read_text() == f"{B}\n"


# --- ig_pseudonymise -------------------------------------------------------------------------

EXTRACT = (
    "NHS No,Post Code,DOB,Sex,Activity\n"
    f"{A},SS1 2AB,1980-06-15,Female,12\n"
    f"{B},ss99zz,15/06/1940,m,3\n"
    f"{C},SS2 6ER,,U,7\n"
    "123,SS1 1AA,1990-01-01,F,1\n"
)
MAPPED = [
    "--nhs-number-column",
    "NHS No",
    "--map",
    "Post Code=postcode",
    "--map",
    "DOB=date_of_birth",
    "--map",
    "Sex=gender",
    "--keep",
    "Activity",
    "--age-on",
    "2025-06-14",
]


def pseudonymise(tmp_path, extract: str, *args: str, code: str = CASE_FINDING):
    source, target = tmp_path / "extract.csv", tmp_path / "out.csv"
    source.write_text(extract)
    out, err = run(
        "ig_pseudonymise", "--purpose", code, "--in", str(source), "--out", str(target), *args
    )
    return target, out, err


def test_pseudonymise_keeps_only_allowed_identifiers_and_drops_objectors(tmp_path):
    object_to(CASE_FINDING, C)
    pseudonym = pseudonymiser(CASE_FINDING)

    target, out, err = pseudonymise(tmp_path, EXTRACT, *MAPPED)

    assert target.read_text().splitlines() == [
        "pseudonym,postcode_sector,age_band,gender,Activity",
        f"{pseudonym(A)},SS1 2,40-44,2,12",  # 45 the day after --age-on
        f"{pseudonym(B)},SS9 9,80-84,1,3",
    ]
    assert "Line 5: NHS number must be 10 digits" in err
    assert "read 4 rows, wrote 2, dropped 1 not allowed and 1 with an invalid" in out
    call = PipelineCall.objects.get(endpoint="ig_pseudonymise")
    assert (call.numbers_received, call.numbers_returned, call.numbers_invalid) == (4, 2, 1)


def test_pseudonymise_refuses_an_unexpected_column(tmp_path):
    extract = f"nhs_number,Name,postcode\n{A},Jo Bloggs,SS1 2AB\n"

    with pytest.raises(CommandError, match="Column 'Name' is not an allowed identifier"):
        pseudonymise(tmp_path, extract)

    assert not (tmp_path / "out.csv").exists()


def test_pseudonymise_refuses_to_keep_a_column_that_looks_like_an_identifier(tmp_path):
    extract = f"nhs_number,Home Address\n{A},1 High Street\n"

    with pytest.raises(CommandError, match="looks like an identifier"):
        pseudonymise(tmp_path, extract, "--keep", "Home Address")


def test_pseudonymise_needs_the_nhs_number_column(tmp_path):
    with pytest.raises(CommandError, match="There is no 'nhs_number' column"):
        pseudonymise(tmp_path, "postcode\nSS1 2AB\n")


def test_pseudonymise_stops_without_a_key_in_production_like_settings(tmp_path, settings):
    settings.IG_PSEUDONYM_DEV_KEYS = False
    settings.IG_PSEUDONYM_KEYS_DIR = ""

    with pytest.raises(CommandError, match="No pseudonymisation key is configured"):
        pseudonymise(tmp_path, f"nhs_number\n{A}\n")


def test_pseudonymise_fails_closed_when_the_national_opt_out_cache_is_stale(tmp_path):
    with pytest.raises(CommandError, match="never been checked"):
        pseudonymise(tmp_path, f"nhs_number\n{A}\n", code=COMMISSIONING)


def test_pseudonyms_differ_between_purposes(tmp_path):
    fresh_national_opt_out()
    first, _, _ = pseudonymise(tmp_path, f"nhs_number\n{A}\n")
    first_text = first.read_text()
    second, _, _ = pseudonymise(tmp_path, f"nhs_number\n{A}\n", code=COMMISSIONING)

    assert first_text.splitlines()[1] != second.read_text().splitlines()[1]


@pytest.mark.parametrize(
    ("value", "sector"),
    [("SS1 2AB", "SS1 2"), ("ec1a1bb", "EC1A 1"), ("W1A 0AX", "W1A 0"), ("SS1 2", "SS1 2")],
)
def test_postcode_sector(value, sector):
    assert postcode_sector(value) == sector


@pytest.mark.parametrize("value", ["", "not a postcode", "12345"])
def test_postcode_sector_is_blank_for_anything_else(value):
    assert postcode_sector(value) == ""


@pytest.mark.parametrize(
    ("born", "band"),
    [
        ("1985-06-14", "40-44"),  # 40 today
        ("1980-06-15", "40-44"),  # 45 tomorrow
        ("1980-06-14", "45-49"),
        ("2025-06-14", "0-4"),
        ("1930-01-01", "90+"),
        ("2030-01-01", ""),  # in the future
        ("yesterday", ""),
    ],
)
def test_age_band_on_a_reference_date(born, band):
    assert age_band(born, dt.date(2025, 6, 14)) == band


@pytest.mark.parametrize(
    ("value", "code"),
    [("Male", "1"), ("f", "2"), ("2", "2"), ("Non-binary", "9"), ("", "X"), ("prefer", "X")],
)
def test_gender_is_normalised_to_the_nhs_code_set(value, code):
    assert gender_code(value) == code


# --- consent_export_pseudonyms ---------------------------------------------------------------


def test_export_lists_pseudonyms_of_objectors_and_national_opt_outs_sorted(tmp_path):
    object_to(COMMISSIONING, A)
    object_to(CASE_FINDING, B)  # another purpose: still usable for this one
    fresh_national_opt_out(C)
    pseudonym = pseudonymiser(COMMISSIONING)
    target = tmp_path / "exclude.txt"

    out, _ = run("consent_export_pseudonyms", "--purpose", COMMISSIONING, str(target))

    assert target.read_text() == "".join(f"{p}\n" for p in sorted([pseudonym(A), pseudonym(C)]))
    assert "2 pseudonyms" in out
    assert PipelineCall.objects.get().endpoint == "consent_export_pseudonyms"


def test_export_for_a_consent_purpose_lists_everyone_without_consent(tmp_path):
    research = Purpose.objects.get(code="research")
    choice_record(
        nhs_number=A,
        purpose=research,
        decision="consent",
        channel="online",
        identity_result="verified",
    )
    object_to(CASE_FINDING, B)  # in the register, never consented to research
    fresh_national_opt_out()
    pseudonym = pseudonymiser("research")

    out, _ = run("consent_export_pseudonyms", "--purpose", "research", "-")

    assert out == f"{pseudonym(B)}\n"


def test_export_fails_closed_when_the_national_opt_out_cache_is_stale():
    with pytest.raises(CommandError, match="never been checked"):
        run("consent_export_pseudonyms", "--purpose", COMMISSIONING, "-")


def test_kept_values_that_need_quoting_survive_as_csv(tmp_path):
    extract = f'nhs_number,Note\n{A},"a, ""quoted""\nvalue"\n'

    target, _, _ = pseudonymise(tmp_path, extract, "--keep", "Note")

    with open(target, newline="") as result:
        rows = list(csv.reader(result))
    assert rows[1][4] == 'a, "quoted"\nvalue'


@pytest.mark.parametrize("length", [32, 64, 65, 100])
def test_the_fast_pseudonymiser_gives_the_same_pseudonyms(monkeypatch, length):
    monkeypatch.setenv("IG_PSEUDONYM_KEY_RESEARCH", "k" * (length - 1) + "!")

    assert pseudonymiser_fast("research")(A) == pseudonymiser("research")(A)


def test_a_versioned_key_runs_beside_the_current_one_while_rotating(tmp_path, monkeypatch):
    old, new = "o" * 40, "n" * 40
    monkeypatch.setenv("IG_PSEUDONYM_KEY_RISK_STRATIFICATION_CASE_FINDING", old)
    monkeypatch.setenv("IG_PSEUDONYM_KEY_RISK_STRATIFICATION_CASE_FINDING_V2", new)

    current, _, _ = pseudonymise(tmp_path, f"nhs_number\n{A}\n")
    current_text = current.read_text()
    rotated, _, _ = pseudonymise(
        tmp_path,
        f"nhs_number\n{A}\n",
        "--key-env",
        "IG_PSEUDONYM_KEY_RISK_STRATIFICATION_CASE_FINDING_V2",
    )

    assert current_text.splitlines()[1].split(",")[0] == expected_pseudonym(old, A)
    assert rotated.read_text().splitlines()[1].split(",")[0] == expected_pseudonym(new, A)


def test_key_env_must_name_a_versioned_key_of_the_same_purpose(tmp_path, monkeypatch):
    monkeypatch.setenv("IG_PSEUDONYM_KEY_RESEARCH_V2", "r" * 40)

    with pytest.raises(CommandError, match="must name a versioned key for this purpose"):
        pseudonymise(tmp_path, f"nhs_number\n{A}\n", "--key-env", "IG_PSEUDONYM_KEY_RESEARCH_V2")
    with pytest.raises(CommandError, match="is not set"):
        pseudonymise(
            tmp_path,
            f"nhs_number\n{A}\n",
            "--key-env",
            "IG_PSEUDONYM_KEY_RISK_STRATIFICATION_CASE_FINDING_V3",
        )


def test_pseudonymise_reads_standard_input_and_writes_standard_output(monkeypatch):
    extract = f"\ufeffnhs_number,gender\r\n{A},F\r\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(extract.encode())))

    out, err = run("ig_pseudonymise", "--purpose", CASE_FINDING, "--in", "-", "--out", "-")

    assert out == (
        f"pseudonym,postcode_sector,age_band,gender\n{pseudonymiser(CASE_FINDING)(A)},,,2\n"
    )
    assert "wrote 1" in err
