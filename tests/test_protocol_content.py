"""The shipped protocol's patient content, read from the protocol data: complete, plain, in both languages."""

import re

import pytest

from checklists.models import Responsible, WarningSign
from checklists.protocol_data import read_protocol, shipped_protocol_files

CALL_911 = "Call 911 – do not drive yourself."
CALL_911_ES = "Llame al 911 – no vaya manejando."


@pytest.fixture(scope="module")
def protocol() -> dict:
    return read_protocol(shipped_protocol_files()[0])


def patient_texts(protocol: dict) -> list[str]:
    """Every text of the protocol a patient can read, in both languages."""
    texts = []
    for task in protocol["tasks"]:
        # The staff's title reaches the patient only when the task has no patient title.
        shown = ("patient_title", "patient_title_es") if task["patient_title"] else ("title", "title_es")
        texts += [task[field] for field in (*shown, "patient_instructions", "patient_instructions_es")]
    texts += [sign[field] for sign in protocol["warning_signs"] for field in ("text", "text_es")]
    texts += [page[field] for page in protocol["patient_pages"] for field in ("title", "title_es", "body", "body_es")]
    return texts


def test_every_emergency_sign_says_call_911_and_not_to_drive_in_both_languages(protocol):
    emergencies = [sign for sign in protocol["warning_signs"] if sign["severity"] == WarningSign.Severity.EMERGENCY]

    assert len(emergencies) >= 6
    for sign in emergencies:
        assert sign["text"].endswith(CALL_911), sign["text"]
        assert sign["text_es"].endswith(CALL_911_ES), sign["text_es"]


@pytest.mark.parametrize(
    "sign",
    [
        r"numb or tingly",
        r"bladder or bowels",
        r"face droops.*trouble speaking",
        r"rash.*swelling.*trouble breathing",
        r"headache when you sit",
        r"bruise.*keeps growing",
        r"back pain.*worse.*anywhere in your back",
        r"chest pain",
    ],
)
def test_the_warning_signs_are_complete(protocol, sign):
    assert any(re.search(sign, each["text"]) for each in protocol["warning_signs"]), sign


def test_no_patient_visible_text_says_midnight(protocol):
    for text in patient_texts(protocol):
        assert not re.search(r"midnight|medianoche", text, re.IGNORECASE), text


def test_every_task_has_spanish_and_every_team_task_speaks_to_the_patient(protocol):
    for task in protocol["tasks"]:
        assert task["title_es"] and task["patient_instructions_es"], task["title"]
        if task["responsible"] != Responsible.PATIENT and not task["patient_form"]:
            # "The team will …", "We will …", "Your doctor will …": never the staff's "Record allergies".
            assert task["patient_title"] and task["patient_title_es"], task["title"]
            voice = r"(The team|We|The anesthesia doctor|Your doctor) "
            assert re.match(voice, task["patient_title"]), task["patient_title"]


def test_the_pages_before_consent_say_what_happens_the_risks_and_the_right_to_say_no(protocol):
    pages = {page["title"]: page for page in protocol["patient_pages"]}

    assert list(pages) == ["What happens during kyphoplasty", "The risks", "Your right to say no"]
    what_happens = pages["What happens during kyphoplasty"]["body"]
    for step in ("on your stomach", "needle", "balloon", "cement", "pressure"):
        assert step in what_happens
    for risk in ("infection", "allergic reaction", "paralysis", "lungs", "brain", "new crack"):
        assert risk in pages["The risks"]["body"]
    assert "change your mind" in pages["Your right to say no"]["body"]
    assert all(page["body_es"] and page["title_es"] for page in protocol["patient_pages"])


@pytest.mark.parametrize(
    "wrong",
    [
        r"\bdejar los\b",  # "dejar de tomar"
        r"\bincluso\b",  # "incluidos/incluidas" for "including"
        r"maneje por usted|manejará por usted",  # "que lo/la lleve a casa"
        r"\bllevarle\b",  # leísmo
        r"\bPídale a un adulto\b",  # one form: "Pida"
        r"medio de contraste",  # one term: "líquido de contraste"
        r"semana antes|noche antes",  # "anterior"
        r"\banticoagulantes\b(?! y antiplaquetarios)",  # blood thinners include antiplatelets
    ],
)
def test_the_spanish_corrections_hold(protocol, wrong):
    for text in patient_texts(protocol):
        assert not re.search(wrong, text), text


def test_english_uses_one_word_for_the_wound_and_accuses_no_one(protocol):
    for text in patient_texts(protocol):
        assert "incision" not in text.lower(), text
        assert "tell us the truth" not in text.lower(), text


def test_same_day_and_overnight_patients_get_their_own_after_care(protocol):
    by_admission = {
        admission: [task["title"] for task in protocol["tasks"] if task["admission"] == admission]
        for admission in ("same_day", "overnight")
    }

    assert by_admission["same_day"] == ["Go home only when your driver is here"]
    assert by_admission["overnight"] == [
        "Move to a ward room for the night",
        "Discharge the next morning, only to the driver",
    ]
