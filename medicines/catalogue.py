"""The medicine catalogue shipped as data (catalogue_data/medicines.json), loaded by `load_medicines`.

A row an admin has edited (`locally_edited`) is never overwritten by a newer shipped version: the
loader keeps it and reports the difference, so a deploy cannot silently undo a clinical setting.
Each row is saved with its history (`save_with_history`, by nobody: the shipped catalogue did it).
"""

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from checklists.services.audit import save_with_history

from .models import CatalogueEntry, LabTest, Medicine

CATALOGUE_FILE = Path(__file__).resolve().parent / "catalogue_data" / "medicines.json"
LAB_DECIMALS = ("lower_limit", "upper_limit")


@dataclass
class CatalogueLoadReport:
    version: int
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept_local_edits: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        lines = [f"Medicine catalogue v{self.version}: {len(self.created)} added, {len(self.updated)} updated."]
        lines += [
            f"KEPT the admins' edit of {slug}: the shipped v{self.version} differs ({fields})."
            for slug, fields in self.kept_local_edits
        ]
        return lines


def read_catalogue(path: Path = CATALOGUE_FILE) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def catalogue_load(*, data: dict) -> CatalogueLoadReport:
    """Create or update the catalogue from shipped data; rows changed by an admin are kept and reported."""
    report = CatalogueLoadReport(version=data["version"])
    with transaction.atomic():
        for lab in data["lab_tests"]:
            values = {**lab, **{name: _decimal(lab[name]) for name in LAB_DECIMALS}}
            _load_entry(LabTest, values, version=report.version, report=report)
        labs = {lab.slug: lab for lab in LabTest.objects.all()}
        for medicine in data["medicines"]:
            values = {**medicine, "lab_test": labs[medicine["lab_test"]] if medicine["lab_test"] else None}
            _load_entry(Medicine, values, version=report.version, report=report)
    return report


def _load_entry(model: type[CatalogueEntry], values: dict, *, version: int, report: CatalogueLoadReport) -> None:
    entry = model.objects.select_for_update().filter(slug=values["slug"]).first()
    if entry is None:
        entry = model(**values, catalogue_version=version)
        save_with_history(entry, by=None, reason=f"Catalogue v{version}")
        report.created.append(entry.slug)
        return
    changed = [name for name, value in values.items() if getattr(entry, name) != value]
    if not changed:
        return
    if entry.locally_edited:
        report.kept_local_edits.append((entry.slug, ", ".join(changed)))
        return
    for name in changed:
        setattr(entry, name, values[name])
    entry.catalogue_version = version
    save_with_history(entry, by=None, reason=f"Catalogue v{version}: {', '.join(changed)}")
    report.updated.append(entry.slug)


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)
