"""Issue an API token for an IG pipeline system, optionally creating the system (ADR 0014).

    manage.py ig_token_issue --system NAME [--label L] [--expires-in-days N]
    manage.py ig_token_issue --system NAME --create --purpose CODE [--purpose CODE ...]
        [--entitled-to-nhs-numbers]

The token is printed once on standard output (everything else goes to standard error, so
`... > token.txt` captures just the token); only its hash is stored.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from consent.models import Purpose
from consent.pipeline import token_issue
from consent.pipeline_models import PipelineSystem


class Command(BaseCommand):
    help = "Issue an API token for an IG pipeline system and print it once."

    def add_arguments(self, parser):
        parser.add_argument("--system", required=True, help="The system's name.")
        parser.add_argument("--label", default="", help="Where the token will be used.")
        parser.add_argument(
            "--expires-in-days", type=int, default=None, help="The token stops working then."
        )
        parser.add_argument(
            "--create",
            action="store_true",
            help="Create the system if there is none by that name (needs --purpose).",
        )
        parser.add_argument(
            "--purpose",
            action="append",
            default=[],
            metavar="CODE",
            help="With --create: a purpose the system may ask about (repeat for several).",
        )
        parser.add_argument(
            "--entitled-to-nhs-numbers",
            action="store_true",
            help="With --create: the change feed shows this system NHS numbers, not pseudonyms.",
        )

    def handle(self, *args, **options):
        name = options["system"].strip()
        days = options["expires_in_days"]
        if days is not None and days < 1:
            raise CommandError("--expires-in-days must be 1 or more.")
        with transaction.atomic():
            system = PipelineSystem.objects.filter(name=name).first()
            if system is None:
                if not options["create"]:
                    raise CommandError(
                        f"No IG pipeline system is called {name!r}. Add --create --purpose CODE "
                        "to create it."
                    )
                system = self._create(name, options["purpose"], options["entitled_to_nhs_numbers"])
            elif options["create"] and (options["purpose"] or options["entitled_to_nhs_numbers"]):
                raise CommandError(
                    f"The system {name!r} exists already; change its purposes in the admin "
                    "(IG pipeline systems)."
                )
            if not system.is_active:
                raise CommandError(f"The system {name!r} is inactive; its tokens would not work.")
            expires_at = timezone.now() + dt.timedelta(days=days) if days else None
            token, raw = token_issue(system=system, label=options["label"], expires_at=expires_at)
        self.stderr.write(
            f"Issued token {token.prefix}… for {system.name}. It is shown once, below; only its "
            "hash is kept."
        )
        self.stdout.write(raw)

    def _create(self, name: str, codes: list[str], entitled: bool) -> PipelineSystem:
        if not codes:
            raise CommandError("Say which purposes the new system may ask about: --purpose CODE.")
        purposes = list(Purpose.objects.filter(code__in=codes))
        missing = sorted(set(codes) - {p.code for p in purposes})
        if missing:
            raise CommandError(f"There is no purpose {', '.join(missing)}.")
        system = PipelineSystem.objects.create(name=name, entitled_to_nhs_numbers=entitled)
        system.purposes.set(purposes)
        self.stderr.write(
            f"Created the system {name} for {', '.join(sorted(codes))}"
            f"{' (sees NHS numbers)' if entitled else ' (sees pseudonyms)'}."
        )
        return system
