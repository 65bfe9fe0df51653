"""The apps depend one way: portal, reports, check-ins and the outbox build on checklists, never the reverse."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Each app, and the apps above it that it must never import.
FORBIDDEN = {
    "accounts": {"audit", "checklists", "portal", "reports", "medicines", "notifications", "checkins"},
    # Below the clinical apps, so each of them can mark its views as reading patient data.
    "audit": {"checklists", "portal", "reports", "medicines", "notifications", "checkins"},
    "checklists": {"portal", "reports", "medicines", "notifications", "checkins"},
    # The outbox builds on the check-ins (an escalation is announced, `checkins.events`), not the reverse.
    "checkins": {"reports", "notifications"},
}


def imported_top_level_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_app_never_imports_the_apps_above_it(app):
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_top_level_packages(path) & FORBIDDEN[app])
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    }
    assert {path: apps for path, apps in offenders.items() if apps} == {}
