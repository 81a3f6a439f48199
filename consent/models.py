"""The data-sharing register's reference data: the purposes data is used for.

(Notices, events and the projection are added beside this; consent imports nothing from
directory, search or selfcare: ARCHITECTURE.md.)"""

from django.db import models


class Purpose(models.Model):
    """Something the partnership uses linked health and care data for, and on what legal basis.
    Managed by IG officers."""

    CONSENT = "consent"
    S251 = "s251"
    LEGAL_OBLIGATION = "legal-obligation"
    DIRECT_CARE = "direct-care"
    LEGAL_BASES = [
        (CONSENT, "Consent"),
        (S251, "Section 251 support (NHS Act 2006)"),
        (LEGAL_OBLIGATION, "Legal obligation"),
        (DIRECT_CARE, "Direct care"),
    ]

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(help_text="What it is for, in plain English.")
    legal_basis = models.CharField(max_length=20, choices=LEGAL_BASES)
    objection_honoured = models.BooleanField(
        default=True, help_text="People can object, and their objection is respected."
    )
    national_opt_out_applies = models.BooleanField(
        default=False, help_text="The national data opt-out applies to this purpose."
    )
    data_categories = models.TextField(
        blank=True, help_text="The kinds of data used, one per line."
    )
    recipients = models.TextField(blank=True, help_text="Who receives the data, one per line.")
    is_active = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name
