"""Import a vocabulary of terms (the LGA service and needs lists, or any other) from CSV or
Open Referral JSON. Idempotent by term code within the vocabulary."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from .models import Taxonomy, TaxonomyTerm

CSV_COLUMNS = {"code", "name"}


@dataclass
class TaxonomyImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class _Row:
    where: str
    code: str
    name: str
    parent_code: str
    description: str
    term_uri: str


def _rows_from_csv(text: str) -> list[_Row]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    headers = {h.strip().lower() for h in (reader.fieldnames or [])}
    missing = CSV_COLUMNS - headers
    if missing:
        raise ValueError(f"The CSV file needs the columns: {', '.join(sorted(missing))}")
    rows = []
    for line, record in enumerate(reader, start=2):
        record = {(k or "").strip().lower(): (v or "").strip() for k, v in record.items()}
        rows.append(
            _Row(
                where=f"line {line}",
                code=record.get("code", ""),
                name=record.get("name", ""),
                parent_code=record.get("parent_code", ""),
                description=record.get("description", ""),
                term_uri=record.get("term_uri", ""),
            )
        )
    return rows


def _rows_from_json(data: dict) -> list[_Row]:
    terms = data.get("taxonomy_terms") or data.get("contents") or []
    by_id = {str(term.get("id")): term for term in terms}
    rows = []
    for index, term in enumerate(terms):
        parent = by_id.get(str(term.get("parent_id") or ""))
        rows.append(
            _Row(
                where=f"term {index}",
                code=str(term.get("term") or term.get("code") or term.get("id") or ""),
                name=str(term.get("name") or ""),
                parent_code=str((parent or {}).get("term") or (parent or {}).get("id") or ""),
                description=str(term.get("description") or ""),
                term_uri=str(term.get("term_uri") or ""),
            )
        )
    return rows


def taxonomy_import(
    *, path: Path, name: str | None = None, uri: str = "", version: str = "", dry_run: bool = False
) -> TaxonomyImportReport:
    """Create or update a vocabulary and its terms; bad rows are reported and skipped."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".json":
        data = json.loads(text)
        rows = _rows_from_json(data)
        name = name or data.get("name")
        uri = uri or data.get("uri", "")
        version = version or data.get("version", "")
    else:
        rows = _rows_from_csv(text)
    if not name:
        raise ValueError("Give the vocabulary a name with --name")

    report = TaxonomyImportReport()
    codes = [row.code for row in rows if row.code]
    for row in rows:
        if not row.code:
            report.errors.append(f"{row.where}: the code is empty")
        elif not row.name:
            report.errors.append(f"{row.where}: the name is empty")
        elif row.parent_code and row.parent_code not in codes:
            report.errors.append(f"{row.where}: parent code '{row.parent_code}' is not in the file")
        elif codes.count(row.code) > 1:
            report.errors.append(f"{row.where}: code '{row.code}' appears more than once")
    good = [row for row in rows if not any(e.startswith(f"{row.where}:") for e in report.errors)]

    with transaction.atomic():
        taxonomy, _ = Taxonomy.objects.get_or_create(name=name)
        Taxonomy.objects.filter(pk=taxonomy.pk).update(
            uri=uri or taxonomy.uri, version=version or taxonomy.version
        )
        existing = {term.code: term for term in taxonomy.terms.all()}
        saved: dict[str, TaxonomyTerm] = {}
        for row in good:
            term = existing.get(row.code) or TaxonomyTerm(taxonomy=taxonomy, code=row.code)
            values = {"name": row.name, "description": row.description, "term_uri": row.term_uri}
            changed = term.pk is None or any(getattr(term, k) != v for k, v in values.items())
            for key, value in values.items():
                setattr(term, key, value)
            if term.pk is None:
                term.slug = _unique_slug(taxonomy, row.name, row.code)
                report.created += 1
            elif changed:
                report.updated += 1
            else:
                report.unchanged += 1
            term.save()
            saved[row.code] = term
        for row in good:  # parents once every term exists, whatever the file's order
            parent = saved.get(row.parent_code) if row.parent_code else None
            term = saved[row.code]
            if term.parent_id != (parent.pk if parent else None):
                term.parent = parent
                term.save(update_fields=["parent"])
        if dry_run:
            transaction.set_rollback(True)
    return report


def _unique_slug(taxonomy: Taxonomy, name: str, code: str) -> str:
    slug = slugify(name)[:100] or slugify(code)[:100]
    if TaxonomyTerm.objects.filter(taxonomy=taxonomy, slug=slug).exists():
        slug = f"{slug}-{slugify(code)}"[:120]
    return slug
