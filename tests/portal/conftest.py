"""Portal fixtures: the shipped kyphoplasty protocol, Maria, a Spanish-speaking patient with a login, and
her PDF renders counted."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Role
from checklists.models import Protocol
from portal import pdf
from tests.factories import PatientFactory, UserFactory, schedule_episode


@pytest.fixture
def kyphoplasty(db):
    """The real protocol from checklists/protocol_data, with its Spanish texts and warning signs."""
    call_command("load_protocols", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Protocol.objects.get(slug="kyphoplasty").current_version()


@pytest.fixture
def maria(db):
    user = UserFactory(username="maria@example.org", first_name="Maria", last_name="Lopez", role=Role.PATIENT)
    return PatientFactory(user=user, first_name="Maria", last_name="Lopez", preferred_language="es")


@pytest.fixture
def marias_episode(nurse, maria, kyphoplasty):
    """Five days ahead on the real protocol, like the demo."""
    return schedule_episode(
        by=nurse, patient=maria, protocol_version=kyphoplasty, nurse=nurse, start=timezone.now() + dt.timedelta(days=5)
    )


@pytest.fixture
def english(maria):
    maria.preferred_language = "en"
    maria.save()
    return maria


@pytest.fixture
def renders(monkeypatch):
    """Each WeasyPrint render, counted; the HTML itself stands in for the PDF to keep these tests fast."""
    rendered = []

    def fake_render(html):
        rendered.append(html)
        return html.encode()

    monkeypatch.setattr(pdf, "html_to_pdf", fake_render)
    return rendered
