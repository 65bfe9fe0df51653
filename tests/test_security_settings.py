"""The production settings pass Django's deployment checks, warnings included, and trust no proxy by default."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "kypho_tracker.settings",
    "DEBUG": "false",
    "SECRET_KEY": "k7#Qv2pL!x9Zr4Tn8Wb6Hy3Jd5Fm1Gs0Ac-Ue7Io2Pq9Rk4Xl6Vz",
    "ALLOWED_HOSTS": "kypho.example.org",
    "DATABASE_URL": "sqlite:///:memory:",
    "WARD_ESCALATION_PHONE": "+12025550100",
}


def run_in_production(*args: str, **variables: str) -> subprocess.CompletedProcess:
    # Only what a production server would have: none of the test run's variables.
    env = {"PATH": os.environ["PATH"], **PRODUCTION, **variables}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)


def test_check_deploy_is_clean_at_warning_level_in_production_settings():
    result = run_in_production("check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stderr


def test_check_deploy_warns_when_an_escalated_alert_would_reach_no_one_outside_the_app():
    result = run_in_production(
        "check", "--deploy", "--fail-level", "WARNING", WARD_ESCALATION_PHONE="", WARD_ESCALATION_EMAIL=""
    )

    assert result.returncode == 1
    assert "notifications.W001" in result.stderr and "WARD_ESCALATION_PHONE" in result.stderr


def test_forwarded_proto_is_trusted_only_behind_a_declared_proxy_and_the_language_cookie_is_secure():
    script = (
        "from django.conf import settings as s;"
        "print(getattr(s, 'SECURE_PROXY_SSL_HEADER', None), s.LANGUAGE_COOKIE_SECURE, s.SECURE_HSTS_PRELOAD)"
    )
    assert run_in_production("shell", "--no-imports", "-c", script).stdout.split() == ["None", "True", "False"]
