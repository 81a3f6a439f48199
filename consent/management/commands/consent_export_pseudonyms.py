"""The pseudonyms of people a purpose may not use (issue 5), for a receiving system that holds
pseudonymised data already and must drop them.

    manage.py consent_export_pseudonyms --purpose CODE OUT
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import CommandParser
from django.utils import timezone

from consent.pipeline import UsePolicy, call_record, use_policy
from consent.pseudonymise import pseudonymiser_fast
from consent.register_models import ConsentState

from .consent_filter import PipelineCommand, elapsed_text


def numbers_to_exclude(policy: UsePolicy) -> set[str]:
    """Everyone the register knows of whom `policy` does not allow: those who objected, those
    with a national opt-out where it applies, and, where the purpose relies on consent, everyone
    in the register without current consent."""
    excluded = set(policy.excluded)
    if policy.consent_required:
        everyone = ConsentState.objects.values_list("nhs_number", flat=True).distinct()
        excluded.update(n for n in everyone.iterator(5000) if n not in policy.included)
    return excluded


class Command(PipelineCommand):
    help = (
        "Write the pseudonyms (under the purpose's key) of everyone in the register who may not "
        'be used for the purpose to OUT, one per line, sorted. "-" is standard output.'
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("output", metavar="OUT", help='Where to write them, or "-".')
        parser.add_argument("--purpose", required=True, help="The purpose's code.")
        self.add_key_env_argument(parser)
        self.add_progress_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        started_at = timezone.now()
        started = time.perf_counter()
        out_path = options["output"]
        purpose = self.purpose_get(options["purpose"])
        policy = use_policy(purpose)
        pseudonym = pseudonymiser_fast(purpose.code, key_env=options["key_env"])
        numbers = numbers_to_exclude(policy)
        with self.progress(
            total=len(numbers), label="Pseudonymising", unit="items", forced=options["progress"]
        ) as progress:
            pseudonyms = sorted(pseudonym(n) for n in numbers)
            progress.advance(len(numbers))
        with self.output_text(out_path) as out:
            if pseudonyms:
                out.write("\n".join(pseudonyms))
                out.write("\n")
        call_record(
            system=None,
            endpoint="consent_export_pseudonyms",
            purpose_code=purpose.code,
            status=0,
            returned=len(pseudonyms),
            started=started_at,
        )
        self.summary_write(
            out_path,
            f"{purpose.code}: {len(pseudonyms):,} pseudonyms of people not to use, "
            f"in {elapsed_text(time.perf_counter() - started)}.",
        )
