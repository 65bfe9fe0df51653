"""A new protocol draft starts with the check-in data of the version it copies, as its own rows."""

from checkins.models import CheckinPoint, CheckinQuestion, checkin_version_for
from checkins.services import checkin_protocol_content
from checklists.services.protocols import protocol_draft_create


def test_a_new_draft_carries_the_published_versions_schedule_questions_and_rules(checkin_data):
    draft = protocol_draft_create(protocol=checkin_data.protocol)

    assert checkin_version_for(draft) == draft  # its own rows, not the published version's by inheritance
    assert checkin_protocol_content(draft) == checkin_protocol_content(checkin_data)
    assert draft.checkin_points.count() == 7 and draft.checkin_rules.count() > 0


def test_adding_a_question_to_the_draft_keeps_the_rest_and_leaves_the_published_version_alone(checkin_data):
    published = checkin_protocol_content(checkin_data)
    draft = protocol_draft_create(protocol=checkin_data.protocol)

    sleep = CheckinQuestion.objects.create(
        protocol_version=draft, key="sleep", position=99, kind="yes_no", text="Sleeping badly?", text_es="¿Duerme mal?"
    )
    day_7 = CheckinPoint.objects.get(protocol_version=draft, key="day-7")
    day_7.questions.add(sleep)
    draft.checkin_rules.filter(question__key="fever").update(level="emergency")

    content = checkin_protocol_content(draft)
    assert [q["key"] for q in content["questions"]] == [q["key"] for q in published["questions"]] + ["sleep"]
    assert len(content["points"]) == len(published["points"])
    assert checkin_protocol_content(checkin_data) == published


def test_a_draft_of_a_protocol_without_checkins_gets_none(protocol_version):
    draft = protocol_draft_create(protocol=protocol_version.protocol)

    assert checkin_version_for(draft) is None
