"""Bulk import of choices from a CSV file (/manage/consent/import/ and
`manage.py consent_import_choices`): who may, what the file must look like, a message per bad
line while the good lines are kept, the guard against importing the same file twice, and no
NHS number in URLs, log records or the access log."""

import io
import logging
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from consent import bulk_import
from consent.access import nhs_number_hash
from consent.access_models import AccessLogEntry
from consent.models import Purpose
from consent.register import capacity_record, state_for
from consent.register_models import ConsentEvent, ConsentState
from portal import roles
from portal.factories import UserFactory

pytestmark = pytest.mark.django_db

NHS = "9434765919"
OTHER_NHS = "9434765870"
THIRD_NHS = "4010232137"
IMPORT = "/manage/consent/import/"
HEADER = "nhs_number,purpose,decision,channel,occurred_at,evidence_reference"


def with_mfa(user):
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    return user


@pytest.fixture(autouse=True)
def _import_storage(settings, tmp_path):
    """Kept uploads in this test's own directory."""
    settings.CONSENT_IMPORT_DIR = str(tmp_path / "imports")


@pytest.fixture
def ig_officer():
    return with_mfa(UserFactory(email="ig@council.example", roles=[roles.IG_OFFICERS]))


@pytest.fixture
def practitioner():
    return with_mfa(UserFactory(email="sw@council.example", roles=[roles.PRACTITIONERS]))


def csv_file(*lines: str, name: str = "choices.csv", header: str = HEADER) -> SimpleUploadedFile:
    text = "\n".join([header, *lines]) + "\n"
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


GOOD_AND_BAD = [
    f"{NHS},research,object,post,2026-10-01,LETTER-1",  # line 2: good
    "9434765918,research,object,post,2026-10-01,LETTER-2",  # line 3: bad check digit
    f"{OTHER_NHS},no-such-purpose,object,post,2026-10-01,LETTER-3",  # line 4
    f"{OTHER_NHS},research,maybe,post,2026-10-01,LETTER-4",  # line 5
    f"{OTHER_NHS},research,object,post,2999-01-01,LETTER-5",  # line 6: future
    f"{OTHER_NHS},pathway-analysis,consent,post,2026-10-01,LETTER-6",  # line 7: not consent
    f"{THIRD_NHS},pathway-analysis,object,,2026-10-02T09:30,",  # line 8: good, channel default
]


def upload(client, file) -> str:
    """Upload; returns the check page's URL."""
    response = client.post(IMPORT, {"file": file})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


# --- Who may ----------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in (IMPORT, "/manage/consent/pending/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_practitioners_cannot_import(client, practitioner):
    client.force_login(practitioner)
    assert client.get(IMPORT).status_code == 403
    assert client.post(IMPORT, {"file": csv_file(GOOD_AND_BAD[0])}).status_code == 403
    assert not ConsentEvent.objects.exists()


@pytest.mark.parametrize("role", [roles.IG_OFFICERS, roles.ADMINISTRATORS])
def test_ig_officers_and_administrators_can_import(client, role):
    client.force_login(with_mfa(UserFactory(roles=[role])))
    page = client.get(IMPORT)
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.content.decode()
    assert client.get(upload(client, csv_file(GOOD_AND_BAD[0]))).status_code == 200


def test_an_upload_from_another_session_is_not_found(client, ig_officer):
    client.force_login(ig_officer)
    check_url = upload(client, csv_file(GOOD_AND_BAD[0]))
    client.force_login(with_mfa(UserFactory(roles=[roles.ADMINISTRATORS])))
    assert client.get(check_url).status_code == 404
    assert client.post(check_url).status_code == 404
    assert not ConsentEvent.objects.exists()


# --- The file ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (None, "Select a CSV file"),
        (SimpleUploadedFile("choices.xlsx", b"PK\x03\x04"), "The selected file must be a CSV"),
        (SimpleUploadedFile("choices.csv", "nhs_number\n".encode("utf-16")), "must be a CSV"),
        (SimpleUploadedFile("choices.csv", "a,b\n\xe9".encode("latin-1")), "saved as UTF-8"),
        (SimpleUploadedFile("choices.csv", b"nhs_number,purpose\n"), "missing decision"),
        (SimpleUploadedFile("choices.csv", f"{HEADER}\n".encode()), "no choices"),
        (
            SimpleUploadedFile("choices.csv", f"{HEADER},colour\n".encode()),
            "columns the import does not know (column 7)",
        ),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(client, ig_officer, file, message):
    client.force_login(ig_officer)
    response = client.post(IMPORT, {"file": file} if file else {})
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body
    assert message in body
    assert "<title>Error: " in body


def test_files_over_5_mb_are_refused(client, ig_officer):
    client.force_login(ig_officer)
    big = HEADER + "\n" + "x" * (bulk_import.MAX_UPLOAD_BYTES + 1)
    response = client.post(IMPORT, {"file": SimpleUploadedFile("big.csv", big.encode())})
    assert "The selected file must be smaller than 5 MB" in response.content.decode()


def test_a_header_that_is_really_data_is_not_echoed(client, ig_officer):
    client.force_login(ig_officer)
    file = SimpleUploadedFile("choices.csv", f"{NHS},research,object,post,2026-10-01\n".encode())
    body = client.post(IMPORT, {"file": file}).content.decode()
    assert "is missing nhs_number, purpose, decision, occurred_at" in body
    assert NHS not in body


def test_utf8_with_a_byte_order_mark_is_read(ig_officer):
    data = ("\ufeff" + HEADER + "\n" + GOOD_AND_BAD[0] + "\n").encode()
    check = bulk_import.import_read(data)
    assert [row.nhs_number for row in check.rows] == [NHS]
    assert check.errors == []


# --- Lines --------------------------------------------------------------------------------------


def test_check_page_lists_each_bad_line_with_its_message_and_records_nothing(client, ig_officer):
    client.force_login(ig_officer)
    page = client.get(upload(client, csv_file(*GOOD_AND_BAD)))
    body = page.content.decode()
    assert page.status_code == 200
    assert '<dd class="govuk-summary-list__value" id="good-count">2</dd>' in body
    assert '<dd class="govuk-summary-list__value" id="bad-count">5</dd>' in body
    for line, message in [
        (3, "Enter a real NHS number: this one is not valid"),
        (4, "Unknown purpose: use one of"),
        (5, "Unknown decision: use object, withdraw-objection, consent, withdraw-consent"),
        (6, "occurred_at must not be in the future"),
        (7, "pathway-analysis does not rely on consent; consent cannot be given."),
    ]:
        assert (
            f'<td class="govuk-table__cell">{line}</td><td class="govuk-table__cell">{message}'
            in body
        ), line
    assert "Import 2 choices" in body
    assert not ConsentEvent.objects.exists()
    assert not AccessLogEntry.objects.exists()


def test_good_lines_are_recorded_and_bad_ones_reported(client, ig_officer):
    client.force_login(ig_officer)
    check_url = upload(client, csv_file(*GOOD_AND_BAD))
    response = client.post(check_url)
    assert response.status_code == 302
    done = client.get(response["Location"])
    body = done.content.decode()
    assert 'id="imported-count">2<' in body
    assert 'id="failed-count">5<' in body

    events = list(ConsentEvent.objects.order_by("sequence"))
    assert [(e.nhs_number, e.purpose.code, e.channel) for e in events] == [
        (NHS, "research", "post"),
        (THIRD_NHS, "pathway-analysis", "imported"),  # blank channel: imported
    ]
    assert events[0].evidence_reference == "LETTER-1"
    assert events[0].recorded_by == ig_officer
    # A date is midnight, a naive time is local time (UK).
    assert timezone.localtime(events[0].occurred_at).isoformat() == "2026-10-01T00:00:00+01:00"
    assert timezone.localtime(events[1].occurred_at).hour == 9
    for event in events:
        assert event.reference in body
    assert state_for(nhs_number=NHS)["research"].state == ConsentState.OBJECTED
    # One RECORD entry per imported line, naming the event; nothing else logged.
    entries = list(AccessLogEntry.objects.order_by("pk"))
    assert [(e.action, e.event_reference, e.nhs_number_hash) for e in entries] == [
        (AccessLogEntry.RECORD, events[0].reference, nhs_number_hash(NHS)),
        (AccessLogEntry.RECORD, events[1].reference, nhs_number_hash(THIRD_NHS)),
    ]
    # The upload is gone once imported; going back to it says so.
    again = client.post(check_url)
    assert again.status_code == 302
    assert again["Location"] == IMPORT
    assert ConsentEvent.objects.count() == 2


def test_loosening_choices_wait_for_identity_verification(ig_officer):
    data = f"{HEADER}\n{NHS},research,consent,phone,2026-10-01,CALL-9\n".encode()
    result = bulk_import.import_run(bulk_import.import_read(data), user=ig_officer)
    assert len(result.imported) == 1
    state = state_for(nhs_number=NHS)["research"]
    assert state.state == ConsentState.NO_CHOICE
    assert state.pending


def test_proxy_and_identity_columns_are_checked(ig_officer):
    header = (
        "nhs_number,purpose,decision,occurred_at,actor,proxy_role,proxy_name,"
        "identity_method,identity_result"
    )
    lines = [
        f"{NHS},research,object,2026-10-01,proxy,,Ann Smith,,",
        f"{NHS},research,object,2026-10-01,self,parent,,,",
        f"{NHS},research,object,2026-10-01,proxy,parent,,,",
        f"{NHS},research,object,2026-10-01,,,,self-declared,verified",
        f"{NHS},research,object,2026-10-01,proxy,lpa-health-welfare,Ann Smith,"
        "documents-checked,verified",
    ]
    check = bulk_import.import_read("\n".join([header, *lines]).encode())
    assert [(e.line, e.message) for e in check.errors] == [
        (2, "A proxy needs a proxy_role: use parent, lpa-health-welfare, court-appointed-deputy"),
        (3, "Only give a proxy_role when actor is proxy"),
        (4, "A proxy needs a proxy_name, the representative's full name"),
        (5, "identity_result verified needs an identity_method other than none or self-declared"),
    ]
    assert [row.line for row in check.rows] == [6]
    bulk_import.import_run(check, user=ig_officer)
    event = ConsentEvent.objects.get()
    assert (event.actor, event.proxy_role, event.proxy_name) == (
        "proxy",
        "lpa-health-welfare",
        "Ann Smith",
    )


def test_a_line_the_register_refuses_does_not_stop_the_others(ig_officer):
    capacity_record(nhs_number=NHS, evidence_reference="MCA-1", recorded_by=ig_officer)
    before = ConsentEvent.objects.count()
    data = "\n".join(
        [
            HEADER,
            f"{NHS},research,withdraw-objection,phone,2026-10-01,CALL-1",  # capacity: refused
            f"{OTHER_NHS},research,object,phone,2026-10-01,CALL-2",
        ]
    ).encode()
    result = bulk_import.import_run(bulk_import.import_read(data), user=ig_officer)
    assert [line for line, _ref in result.imported] == [3]
    assert [(e.line, e.message) for e in result.errors] == [
        (2, "This person has been assessed as lacking capacity: a representative must decide.")
    ]
    assert ConsentEvent.objects.count() == before + 1
    # The refusal revealed something about that person's record, so it is logged too.
    assert AccessLogEntry.objects.filter(
        action=AccessLogEntry.SEARCH, nhs_number_hash=nhs_number_hash(NHS)
    ).exists()


def test_a_quoted_value_over_two_lines_keeps_line_numbers_right():
    data = "\n".join(
        [
            HEADER,
            f'{NHS},research,object,post,2026-10-01,"LETTER\n1"',
            f"{NHS},research,nonsense,post,2026-10-01,LETTER-2",
        ]
    ).encode()
    check = bulk_import.import_read(data)
    assert [e.line for e in check.errors] == [4]


# --- The same file twice --------------------------------------------------------------------------


def test_the_same_file_twice_is_warned_and_needs_confirming(client, ig_officer):
    client.force_login(ig_officer)
    lines = (GOOD_AND_BAD[0],)
    client.post(upload(client, csv_file(*lines)))
    assert ConsentEvent.objects.count() == 1

    check_url = upload(client, csv_file(*lines, name="renamed.csv"))
    page = client.get(check_url).content.decode()
    assert "This file was already imported on" in page
    assert "ig@council.example" in page
    refused = client.post(check_url)
    assert refused.status_code == 200
    assert "This file was imported before: confirm to import it again" in refused.content.decode()
    assert ConsentEvent.objects.count() == 1

    confirmed = client.post(check_url, {"import_again": "yes"})
    assert confirmed.status_code == 302
    assert ConsentEvent.objects.count() == 2


def test_a_different_file_is_not_mistaken_for_an_earlier_one(client, ig_officer):
    client.force_login(ig_officer)
    client.post(upload(client, csv_file(GOOD_AND_BAD[0])))
    page = client.get(upload(client, csv_file(GOOD_AND_BAD[-1]))).content.decode()
    assert "already imported" not in page


def test_import_run_refuses_a_file_already_imported_unless_forced(ig_officer):
    data = f"{HEADER}\n{GOOD_AND_BAD[0]}\n".encode()
    bulk_import.import_run(bulk_import.import_read(data), user=ig_officer)
    with pytest.raises(bulk_import.AlreadyImportedError):
        bulk_import.import_run(bulk_import.import_read(data), user=ig_officer)
    bulk_import.import_run(bulk_import.import_read(data), user=ig_officer, force=True)
    assert ConsentEvent.objects.count() == 2


# --- Kept uploads ---------------------------------------------------------------------------------


def test_kept_uploads_are_private_and_expire(settings):
    token = bulk_import.upload_keep(b"data")
    path = Path(settings.CONSENT_IMPORT_DIR) / f"{token}.csv"
    assert path.stat().st_mode & 0o077 == 0
    assert bulk_import.upload_read(token) == b"data"
    assert bulk_import.upload_read("../../etc/passwd") is None
    assert bulk_import.uploads_sweep(max_age=-1) == 1
    assert bulk_import.upload_read(token) is None


# --- NHS numbers stay out of URLs and logs -------------------------------------------------


def test_nhs_numbers_never_reach_urls_or_log_records(client, ig_officer, caplog):
    caplog.set_level(logging.DEBUG)
    client.force_login(ig_officer)
    urls = []
    response = client.post(IMPORT, {"file": csv_file(*GOOD_AND_BAD)}, follow=True)
    urls += [url for url, _status in response.redirect_chain]
    assert NHS not in response.content.decode()
    assert "9434765918" not in response.content.decode()  # the invalid one is not echoed
    response = client.post(urls[-1], follow=True)
    urls += [url for url, _status in response.redirect_chain]
    assert len(urls) == 2
    for number in (NHS, OTHER_NHS, THIRD_NHS, "9434765918"):
        assert all(number not in url for url in urls)
        assert all(number not in record.getMessage() for record in caplog.records)
        assert number not in response.content.decode()
        assert not AccessLogEntry.objects.filter(nhs_number_hash__contains=number).exists()


# --- The command --------------------------------------------------------------------------------


def test_command_dry_run_checks_and_records_nothing(tmp_path, ig_officer):
    path = tmp_path / "choices.csv"
    path.write_text("\n".join([HEADER, *GOOD_AND_BAD]) + "\n")
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "consent_import_choices",
        str(path),
        user=ig_officer.email,
        dry_run=True,
        stdout=out,
        stderr=err,
    )
    assert "line 3: Enter a real NHS number: this one is not valid" in err.getvalue()
    assert "7 lines read: 2 ready to import, 5 with problems." in err.getvalue()
    assert "Dry run: nothing recorded." in out.getvalue()
    assert not ConsentEvent.objects.exists()
    assert NHS not in out.getvalue() + err.getvalue()


def test_command_imports_with_progress_and_refuses_a_repeat(tmp_path, ig_officer):
    path = tmp_path / "choices.csv"
    path.write_text("\n".join([HEADER, *GOOD_AND_BAD]) + "\n")
    out, err = io.StringIO(), io.StringIO()
    call_command("consent_import_choices", str(path), user=ig_officer.email, stdout=out, stderr=err)
    references = dict(line.split("\t") for line in out.getvalue().splitlines())
    assert set(references) == {"2", "8"}
    assert set(references.values()) == set(ConsentEvent.objects.values_list("reference", flat=True))
    assert "Importing: done, 2" in err.getvalue()
    assert AccessLogEntry.objects.filter(action=AccessLogEntry.RECORD).count() == 2

    with pytest.raises(CommandError, match=r"already imported.*--force"):
        call_command(
            "consent_import_choices", str(path), user=ig_officer.email, stdout=out, stderr=err
        )
    call_command(
        "consent_import_choices",
        str(path),
        user=ig_officer.email,
        force=True,
        stdout=out,
        stderr=err,
    )
    assert ConsentEvent.objects.count() == 4


def test_command_needs_an_ig_officer(tmp_path, practitioner):
    path = tmp_path / "choices.csv"
    path.write_text(HEADER + "\n" + GOOD_AND_BAD[0] + "\n")
    with pytest.raises(CommandError, match="IG officer or an administrator"):
        call_command("consent_import_choices", str(path), user=practitioner.email)
    with pytest.raises(CommandError, match="no active account"):
        call_command("consent_import_choices", str(path), user="nobody@example.com")


def test_purposes_used_in_these_tests_exist():
    assert Purpose.objects.get(code="research").legal_basis == Purpose.CONSENT
    assert Purpose.objects.get(code="pathway-analysis").legal_basis != Purpose.CONSENT
