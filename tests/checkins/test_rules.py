"""Each shipped rule: the answer that triggers it gives its level and an alert of that kind; normal answers none."""

import pytest

from checkins.models import Alert, Checkin, Level
from checkins.protocol_data import read_checkin_protocol, shipped_checkin_files
from checkins.services import checkin_answer

from .conftest import ALL_NORMAL

[SHIPPED] = [read_checkin_protocol(path) for path in shipped_checkin_files()]


def _trigger(rule: dict) -> str:
    return str(rule["min_score"]) if rule["min_score"] is not None else rule["answer"]


@pytest.mark.parametrize("rule", SHIPPED["rules"], ids=lambda rule: f"{rule['question']}={_trigger(rule)}")
def test_each_rule_raises_its_level_and_an_alert(rule, day_1, at_day_1):
    checkin, alert = checkin_answer(
        checkin=day_1, answers={**ALL_NORMAL, rule["question"]: _trigger(rule)}, via="portal"
    )
    assert checkin.level == rule["level"]
    assert alert.kind == rule["level"]
    assert rule["reason"] in Alert.objects.get(checkin=day_1).reasons


def test_normal_answers_raise_no_alert(day_1, at_day_1):
    checkin, alert = checkin_answer(checkin=day_1, answers=ALL_NORMAL, via="portal")
    assert (checkin.level, alert) == (Level.NORMAL, None)
    assert Checkin.objects.get(pk=day_1.pk).status == Checkin.Status.ANSWERED
    assert not Alert.objects.exists()


def test_pain_7_is_normal_and_8_is_call_today(day_1, pats_episode, at_day_1):
    assert checkin_answer(checkin=day_1, answers={**ALL_NORMAL, "pain_now": "7"}, via="portal")[0].level == Level.NORMAL
    day_3 = pats_episode.checkins.get(point__key="day-3")
    at_day_1.shift(60 * 60 * 24 * 2)
    assert checkin_answer(checkin=day_3, answers={**ALL_NORMAL, "pain_now": "8"}, via="portal")[0].level == "call_today"


def test_an_emergency_and_a_call_today_answer_raise_one_emergency_alert_listing_the_emergency(day_1, at_day_1):
    answers = {**ALL_NORMAL, "fever": "yes", "chest_breathing": "yes"}
    checkin, alert = checkin_answer(checkin=day_1, answers=answers, via="portal")
    assert (checkin.level, Alert.objects.get().kind) == (Level.EMERGENCY, Alert.Kind.EMERGENCY)
    assert "lungs" in alert.reasons
