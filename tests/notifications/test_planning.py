"""Scheduling writes exactly the expected messages, at the expected local times, across daylight saving."""

import datetime as dt
import importlib

import time_machine

from checklists.models import Phase
from checklists.services import tasks
from notifications.dispatch import message_send
from notifications.models import Message
from notifications.services import messages_replan
from notifications.sms import outbox
from tests.factories import PatientFactory, record_done, schedule_episode

from .conftest import BOOKED_AT, START, add_patient_step, local


def plan(episode, status=Message.Status.SCHEDULED):
    return sorted(
        (local(m.scheduled_for), m.kind, m.task.title if m.task else "", m.channel)
        for m in episode.messages.filter(status=status).select_related("task")
    )


def test_scheduling_writes_each_message_at_its_local_time_across_the_dst_change(booked):
    expected = []
    for when, kind, task in [
        ("Sun 01 Mar 12:00 EST", "confirmation", ""),
        # The driver is due Tue 3 March 09:00; two hours before is 07:00, inside quiet hours: the evening before.
        ("Mon 02 Mar 20:00 EST", "task_reminder", "Arrange a driver"),
        ("Tue 03 Mar 10:00 EST", "week_before", ""),
        # Last solid food at T0 − 8 h = 00:00; its reminder (22:00) moves to 20:00, after the clocks went forward.
        ("Mon 09 Mar 17:00 EDT", "night_before", ""),
        ("Mon 09 Mar 20:00 EDT", "task_reminder", "Last solid food"),
        ("Wed 11 Mar 10:00 EDT", "after_care", ""),
    ]:
        expected += [(when, kind, task, "email"), (when, kind, task, "sms")]
    assert plan(booked) == sorted(expected)


def test_the_week_before_summary_is_not_sent_late_but_the_night_before_one_is(nurse, maria, protocol_version):
    # Booked on Monday 9 March at 18:00 for the next morning: the night-before time (17:00) has passed.
    with time_machine.travel(dt.datetime(2026, 3, 9, 18, 0, tzinfo=START.tzinfo), tick=False):
        episode = schedule_episode(by=nurse, patient=maria, protocol_version=protocol_version, start=START)
    kinds = {(m.kind, local(m.scheduled_for)) for m in episode.messages.filter(channel="sms")}
    assert kinds == {
        ("confirmation", "Mon 09 Mar 18:00 EDT"),
        ("night_before", "Mon 09 Mar 18:00 EDT"),
        ("task_reminder", "Mon 09 Mar 20:00 EDT"),
        ("after_care", "Wed 11 Mar 10:00 EDT"),
    }


# Booked late for 10:00 on Tuesday 10 March, the procedure's day.
SAME_MORNING = dt.datetime(2026, 3, 10, 10, 0, tzinfo=START.tzinfo)


def send_everything_scheduled(episode) -> list[str]:
    """Every scheduled message sent at its time, as the worker would: their texts."""
    for message in episode.messages.filter(status=Message.Status.SCHEDULED):
        with time_machine.travel(message.scheduled_for, tick=False):
            message_send(message.pk)
    return [f"{m.subject}\n{m.body}" for m in episode.messages.filter(status=Message.Status.SENT)]


def test_booked_late_the_evening_before_the_night_before_summary_goes_at_once_and_says_tomorrow(
    nurse, maria, protocol_version
):
    with time_machine.travel(dt.datetime(2026, 3, 9, 22, 0, tzinfo=START.tzinfo), tick=False):
        episode = schedule_episode(by=nurse, patient=maria, protocol_version=protocol_version, start=SAME_MORNING)
        summary = episode.messages.get(kind="night_before", channel="sms")
        assert local(summary.scheduled_for) == "Mon 09 Mar 22:00 EDT"
        assert message_send(summary.pk) == "sent"
    assert outbox[-1]["body"].startswith("Kypho Tracker: Maria, your procedure is tomorrow at 10:00 a.m.")


def test_booked_after_midnight_for_the_same_morning_no_night_before_summary_and_nothing_says_tomorrow(
    nurse, maria, protocol_version
):
    with time_machine.travel(dt.datetime(2026, 3, 10, 0, 30, tzinfo=START.tzinfo), tick=False):
        episode = schedule_episode(by=nurse, patient=maria, protocol_version=protocol_version, start=SAME_MORNING)
    assert not episode.messages.filter(kind="night_before").exists()
    texts = send_everything_scheduled(episode)
    assert texts  # the confirmation, at 08:00
    assert not [text for text in texts if "tomorrow" in text.lower()]


def test_a_night_before_summary_not_sent_by_midnight_is_dropped(booked):
    summary = booked.messages.get(kind="night_before", channel="sms")
    # The worker was down from 17:00 and catches up at 00:10 on the procedure's day.
    with time_machine.travel(dt.datetime(2026, 3, 10, 0, 10, tzinfo=START.tzinfo), tick=False):
        assert message_send(summary.pk) == "cancelled"
    summary.refresh_from_db()
    assert (summary.status, summary.sent_at) == ("cancelled", None)


def test_a_re_plan_brings_a_kept_message_to_todays_rule_of_when_it_is_too_late(booked):
    """A summary planned before the rule "never once the procedure's day has begun" kept the start as its limit."""
    summary = booked.messages.get(kind="night_before", channel="sms")
    midnight = summary.expires_at
    Message.objects.filter(pk=summary.pk).update(expires_at=booked.scheduled_start)
    with time_machine.travel(BOOKED_AT, tick=False):
        messages_replan(episode=booked, reason="A step changed")
    summary.refresh_from_db()
    assert (summary.status, summary.expires_at) == ("scheduled", midnight)
    assert local(midnight) == "Tue 10 Mar 00:00 EDT"


def test_the_migration_gives_summaries_scheduled_before_the_rule_the_start_of_the_procedures_day(booked):
    from django.apps import apps

    migration = importlib.import_module("notifications.migrations.0007_night_before_summaries_expire_at_midnight")
    summary = booked.messages.get(kind="night_before", channel="sms")
    Message.objects.filter(pk=summary.pk).update(expires_at=booked.scheduled_start)  # as planned before the rule

    migration.expire_at_the_start_of_the_procedures_day(apps, None)

    summary.refresh_from_db()
    assert local(summary.expires_at) == "Tue 10 Mar 00:00 EDT"


def test_a_confirmation_booked_at_night_waits_for_the_morning(nurse, maria, protocol_version):
    with time_machine.travel(dt.datetime(2026, 3, 1, 23, 30, tzinfo=START.tzinfo), tick=False):
        episode = schedule_episode(by=nurse, patient=maria, protocol_version=protocol_version, start=START)
    confirmation = episode.messages.get(kind="confirmation", channel="sms")
    assert local(confirmation.scheduled_for) == "Mon 02 Mar 08:00 EST"


def test_a_patient_without_a_phone_gets_email_only_and_one_without_contacts_nothing(nurse, protocol_version):
    with time_machine.travel(BOOKED_AT, tick=False):
        email_only = schedule_episode(
            by=nurse, patient=PatientFactory(phone=""), protocol_version=protocol_version, start=START
        )
        unreachable = schedule_episode(
            by=nurse, patient=PatientFactory(phone="", email=""), protocol_version=protocol_version, start=START
        )
    assert set(email_only.messages.values_list("channel", flat=True)) == {"email"}
    assert not unreachable.messages.exists()


def test_the_patients_own_quiet_hours_move_reminders_to_her_evening(nurse, maria, protocol_version):
    from notifications.models import ContactPreference

    ContactPreference.objects.create(patient=maria, quiet_start=dt.time(19, 0), quiet_end=dt.time(9, 0))
    with time_machine.travel(BOOKED_AT, tick=False):
        episode = schedule_episode(by=nurse, patient=maria, protocol_version=protocol_version, start=START)
    reminders = episode.messages.filter(kind="task_reminder", channel="sms").order_by("scheduled_for")
    assert [local(m.scheduled_for) for m in reminders] == ["Mon 02 Mar 18:00 EST", "Mon 09 Mar 18:00 EDT"]


def test_a_procedure_in_the_past_gets_no_confirmation(nurse, maria, protocol_version):
    with time_machine.travel(START + dt.timedelta(days=2), tick=False):
        episode = schedule_episode(by=nurse, patient=maria, protocol_version=protocol_version, start=START)
    assert not episode.messages.filter(kind="confirmation").exists()


def test_a_step_done_cancels_its_reminder_and_reopening_it_plans_it_again(booked, nurse):
    task = booked.tasks.get(title="Arrange a driver")
    with time_machine.travel(BOOKED_AT + dt.timedelta(hours=1), tick=False):
        task = tasks.task_mark_done(task=task, by=nurse, expected_version=task.version)
        assert set(booked.messages.filter(task=task).values_list("status", "status_reason")) == {
            ("cancelled", "Step changed: Arrange a driver")
        }
        tasks.task_reopen(task=task, by=nurse, expected_version=task.version, reason="Driver fell through")
    assert booked.messages.filter(task=task, status="scheduled").count() == 2


def test_no_reminder_for_a_step_due_while_she_is_in_the_hospital(nurse, maria, protocol_version):
    add_patient_step(protocol_version, "Lie flat for an hour", minutes=60)
    add_patient_step(protocol_version, "No driving for 24 hours", minutes=24 * 60)
    with time_machine.travel(BOOKED_AT, tick=False):
        episode = schedule_episode(by=nurse, patient=maria, protocol_version=protocol_version, start=START)
    reminded = set(episode.messages.filter(kind="task_reminder").values_list("task__title", flat=True))
    assert reminded == {"Arrange a driver", "Last solid food", "No driving for 24 hours"}


def test_each_step_can_have_its_own_lead_time_in_the_protocol_or_none(nurse, maria, protocol_version):
    protocol_version.tasks.filter(title="Arrange a driver").update(reminder_lead_minutes=24 * 60)
    protocol_version.tasks.filter(title="Last solid food").update(reminder_lead_minutes=0)
    with time_machine.travel(BOOKED_AT, tick=False):
        episode = schedule_episode(by=nurse, patient=maria, protocol_version=protocol_version, start=START)
    reminders = episode.messages.filter(kind="task_reminder", channel="sms")
    # The driver is due Tue 3 March 09:00: a day before is Monday 09:00, outside quiet hours.
    assert [(m.task.title, local(m.scheduled_for)) for m in reminders] == [("Arrange a driver", "Mon 02 Mar 09:00 EST")]


def test_reminders_moved_to_the_same_evening_minute_are_one_message_naming_every_step(nurse, maria, protocol_version):
    for position, title, hours in ((2, "Last light meal", 6), (3, "Last clear drink", 2)):
        add_patient_step(protocol_version, title, phase=Phase.NIGHT_BEFORE, minutes=-hours * 60, position=position)
    with time_machine.travel(BOOKED_AT, tick=False):
        episode = schedule_episode(by=nurse, patient=maria, protocol_version=protocol_version, start=START)
    # 00:00, 02:00 and 06:00 cut-offs: reminders at 22:00, 00:00 and 04:00, all quiet, all moved to 20:00.
    evening = episode.messages.filter(kind="task_reminder", channel="sms", status="scheduled").order_by("scheduled_for")
    assert [(m.task.title, local(m.scheduled_for)) for m in evening][-1:] == [
        ("Last solid food", "Mon 09 Mar 20:00 EDT")
    ]
    assert evening.filter(scheduled_for=evening.last().scheduled_for).count() == 1

    text = evening.last()
    with time_machine.travel(text.scheduled_for, tick=False):
        assert message_send(text.pk) == "sent"
    text.refresh_from_db()
    assert text.body == (
        "Kypho Tracker reminders:\n"
        "- Last solid food, by 11:59 p.m. Monday 9 March.\n"  # never "midnight"
        "- Last light meal, by 2:00 a.m. Tuesday 10 March.\n"
        "- Last clear drink, by 6:00 a.m. Tuesday 10 March.\n"
        "Questions: (555) 010-0100"
    )


def test_when_the_first_step_of_a_combined_reminder_is_done_the_others_keep_one_message(nurse, maria, protocol_version):
    add_patient_step(protocol_version, "Last clear drink", phase=Phase.NIGHT_BEFORE, minutes=-2 * 60, position=2)
    with time_machine.travel(BOOKED_AT, tick=False):
        episode = schedule_episode(by=nurse, patient=maria, protocol_version=protocol_version, start=START)
        food = episode.tasks.get(title="Last solid food")
        tasks.task_mark_done(task=food, by=nurse, expected_version=food.version)
    [evening] = episode.messages.filter(
        kind="task_reminder", channel="sms", status="scheduled", task__phase="night_before"
    )
    assert (evening.task.title, local(evening.scheduled_for)) == ("Last clear drink", "Mon 09 Mar 20:00 EDT")
    assert episode.messages.get(task=food, channel="sms").status == "cancelled"


def test_after_care_reminders_follow_the_recorded_end_of_the_procedure(nurse, maria, protocol_version):
    add_patient_step(protocol_version, "No driving for 24 hours", minutes=24 * 60)
    with time_machine.travel(BOOKED_AT, tick=False):
        episode = schedule_episode(by=nurse, patient=maria, protocol_version=protocol_version, start=START)
    with time_machine.travel(START + dt.timedelta(hours=4), tick=False):
        record_done(episode, by=nurse, ended_at=START + dt.timedelta(hours=3))  # ended at 11:00, not 08:00
    reminder = episode.messages.get(task__title="No driving for 24 hours", channel="sms", status="scheduled")
    assert local(reminder.scheduled_for) == "Wed 11 Mar 09:00 EDT"  # 2 h before 11:00 the next day
    assert episode.messages.get(task__title="No driving for 24 hours", channel="sms", status="superseded")
