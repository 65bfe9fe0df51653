"""Check-in schedules shipped as data: one JSON file per protocol, loaded by `manage.py load_checkin_protocols`."""

import json
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent


def shipped_checkin_files() -> list[Path]:
    return sorted(DATA_DIR.glob("*.json"))


def read_checkin_protocol(path: Path) -> dict:
    """Read a check-in file into the shape `checkin_protocol_content` gives for a version, to load or compare."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    questions = [{**question, "position": position} for position, question in enumerate(raw["questions"], start=1)]
    points = [
        {
            "key": point["key"],
            "anchor": point["anchor"],
            "days": point["days"],
            "answer_within_hours": point["answer_within_hours"],
            "questions": list(raw["question_sets"][point["question_set"]]),
        }
        for point in raw["points"]
    ]
    rules = [
        {
            "question": rule["question"],
            "answer": rule.get("answer", ""),
            "min_score": rule.get("min_score"),
            "level": rule["level"],
            "reason": rule["reason"],
        }
        for rule in raw["rules"]
    ]
    return {"protocol": raw["protocol"], "questions": questions, "points": points, "rules": rules}
