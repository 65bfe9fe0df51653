"""Protocols shipped as data: one JSON file per protocol, loaded by `manage.py load_protocols`."""

import datetime as dt
import json
from collections import Counter
from pathlib import Path

from checklists.models import Phase

DATA_DIR = Path(__file__).resolve().parent


def shipped_protocol_files() -> list[Path]:
    return sorted(DATA_DIR.glob("*.json"))


def read_protocol(path: Path) -> dict:
    """Read a protocol file into the shape the models take: task definitions, warning signs, patient pages."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    positions = Counter()
    tasks = []
    for task in raw["tasks"]:
        positions[task["phase"]] += 1
        due = task["due"]
        tasks.append(
            {
                "phase": task["phase"],
                "position": positions[task["phase"]],
                "title": task["title"],
                "title_es": task["title_es"],
                "patient_instructions": task["patient_instructions"],
                "patient_instructions_es": task["patient_instructions_es"],
                "nurse_guidance": task["nurse_guidance"],
                "responsible": task["responsible"],
                "is_critical": task["critical"],
                "patient_title": task.get("patient_title", ""),
                "patient_title_es": task.get("patient_title_es", ""),
                "patient_form": task.get("patient_form", ""),
                "admission": task.get("admission", ""),
                "reminder_lead_minutes": task.get("reminder_minutes_before"),
                "due_means": task.get("due_means", "by"),
                "due_offset_minutes": due.get("minutes"),
                "due_day_offset": due.get("days"),
                "due_clock_time": dt.time.fromisoformat(due["time"]) if "time" in due else None,
            }
        )
    severity_positions = Counter()
    warning_signs = []
    for sign in raw["warning_signs"]:
        severity_positions[sign["severity"]] += 1
        warning_signs.append(
            {
                "severity": sign["severity"],
                "position": severity_positions[sign["severity"]],
                "text": sign["text"],
                "text_es": sign["text_es"],
            }
        )
    patient_pages = [
        {
            "position": position,
            "title": page["title"],
            "title_es": page["title_es"],
            "body": page["body"],
            "body_es": page["body_es"],
        }
        for position, page in enumerate(raw.get("patient_pages", []), start=1)
    ]
    tasks.sort(key=lambda task: (Phase.values.index(task["phase"]), task["position"]))
    warning_signs.sort(key=lambda sign: (sign["severity"], sign["position"]))
    return {
        "slug": raw["slug"],
        "name": raw["name"],
        "description": raw.get("description", ""),
        "tasks": tasks,
        "warning_signs": warning_signs,
        "patient_pages": patient_pages,
    }
