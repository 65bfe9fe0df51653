"""Two submissions of one check-in at the same moment (a double tap, the link and the portal): one is stored."""

import threading

import pytest
from django.db import connection

from checkins.models import Alert, CheckinAnswer
from checkins.services import CheckinRefused, checkin_answer

from .conftest import ALL_NORMAL, DAY_1_OPEN


@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_the_same_moment_store_one_set_of_answers_and_one_alert(day_1):
    # PostgreSQL: the check-in's row is locked; SQLite: the second IMMEDIATE transaction waits for the first.
    barrier = threading.Barrier(2)
    outcomes = []

    def submit(via):
        try:
            barrier.wait()
            checkin_answer(checkin=day_1, answers={**ALL_NORMAL, "fever": "yes"}, via=via, now=DAY_1_OPEN)
            outcomes.append("stored")
        except CheckinRefused as refused:
            outcomes.append(refused.status)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(via,)) for via in ("portal", "link")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes, key=str) == [409, "stored"]
    assert CheckinAnswer.objects.filter(checkin=day_1).count() == 12
    assert Alert.objects.filter(checkin=day_1).count() == 1
