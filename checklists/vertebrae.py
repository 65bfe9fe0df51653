"""Vertebral levels as written on a spine request: C1–C7, T1–T12, L1–L5, S1."""

import re

from django.core.exceptions import ValidationError

LEVELS = [f"C{n}" for n in range(1, 8)] + [f"T{n}" for n in range(1, 13)] + [f"L{n}" for n in range(1, 6)] + ["S1"]


def normalise_levels(text: str) -> str:
    """Turn "t12 l1" or "T12,L1" into "T12, L1" in spinal order, or raise ValidationError."""
    parts = [part.upper() for part in re.split(r"[\s,;/]+", text.strip()) if part]
    if not parts:
        raise ValidationError("Enter at least one vertebral level, for example T12 or L1.")
    unknown = [part for part in parts if part not in LEVELS]
    if unknown:
        raise ValidationError(
            "Not a vertebral level: %(levels)s. Use C1–C7, T1–T12, L1–L5 or S1.",
            params={"levels": ", ".join(unknown)},
        )
    return ", ".join(sorted(set(parts), key=LEVELS.index))
