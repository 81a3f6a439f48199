"""A crash halfway through the bulk import of choices records nothing.

Register events are append-only: a half-imported file that was then imported again could
never be tidied up. So the run (events, projection, access log and the ledger entry that
guards against a second import) is one transaction. Lines the register refuses are still
reported and the others kept (test_staff_import.py)."""

import pytest
from django.db.models.signals import post_save

from consent import bulk_import
from consent.access_models import AccessLogEntry, ChoiceImport
from consent.register import chain_verify, state_for
from consent.register_models import ChainHead, ConsentEvent, ConsentState
from portal import roles
from portal.factories import UserFactory

pytestmark = pytest.mark.django_db

HEADER = "nhs_number,purpose,decision,channel,occurred_at,evidence_reference"
LINES = [
    "9434765919,research,object,post,2026-10-01,LETTER-1",
    "9434765870,research,object,post,2026-10-01,LETTER-2",
    "4010232137,research,object,post,2026-10-01,LETTER-3",
    "9434765919,pathway-analysis,object,post,2026-10-02,LETTER-4",
]
DATA = ("\n".join([HEADER, *LINES]) + "\n").encode()


class ImportCrashed(Exception):
    """Stands for any fault the import does not expect (a bug, a lost connection...)."""


@pytest.fixture
def ig_officer():
    return UserFactory(email="ig@council.example", roles=[roles.IG_OFFICERS])


@pytest.fixture
def crash_on_third_event():
    recorded: list[str] = []

    def receiver(sender, instance, created, **kwargs):
        recorded.append(instance.reference)
        if len(recorded) == 3:
            raise ImportCrashed("crashed while recording")

    post_save.connect(receiver, sender=ConsentEvent, dispatch_uid="test-crash")
    yield recorded
    post_save.disconnect(sender=ConsentEvent, dispatch_uid="test-crash")


def register_snapshot() -> dict:
    head = ChainHead.objects.get()
    return {
        "events": ConsentEvent.objects.count(),
        "states": ConsentState.objects.count(),
        "access_log": AccessLogEntry.objects.count(),
        "ledger": ChoiceImport.objects.count(),
        "head": (head.last_sequence, head.last_hash),
    }


def test_a_crash_halfway_records_nothing(ig_officer, crash_on_third_event):
    before = register_snapshot()
    check = bulk_import.import_read(DATA)
    assert len(check.rows) == 4

    with pytest.raises(ImportCrashed):
        bulk_import.import_run(check, user=ig_officer)

    assert len(crash_on_third_event) == 3  # two events were recorded, then the crash
    assert register_snapshot() == before
    assert chain_verify() is None
    assert state_for(nhs_number="9434765919")["research"].state == ConsentState.NO_CHOICE


def test_after_a_crash_the_same_file_imports_whole_without_force(ig_officer, crash_on_third_event):
    check = bulk_import.import_read(DATA)
    with pytest.raises(ImportCrashed):
        bulk_import.import_run(check, user=ig_officer)
    post_save.disconnect(sender=ConsentEvent, dispatch_uid="test-crash")

    # No ledger entry was left: the file is not taken for one already imported.
    assert bulk_import.import_read(DATA).previous is None
    result = bulk_import.import_run(bulk_import.import_read(DATA), user=ig_officer)

    assert [line for line, _reference in result.imported] == [2, 3, 4, 5]
    assert ConsentEvent.objects.count() == 4  # once each, no duplicates
    assert ChoiceImport.objects.get().imported == 4
    assert chain_verify() is None
    assert state_for(nhs_number="9434765919")["research"].state == ConsentState.OBJECTED
