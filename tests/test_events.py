"""Clinical services announce each change to the registered receivers, inside the change's transaction."""

import pytest
from django.db import transaction

from checklists import events


def test_announcing_outside_a_transaction_is_refused(transactional_db):
    with pytest.raises(RuntimeError, match="inside the change's transaction"):
        events.announce(events.EpisodeSignedOff(episode=None))


def test_a_receiver_runs_inside_the_announcing_transaction(db, monkeypatch):
    seen = []
    monkeypatch.setattr(events, "_receivers", {events.EpisodeSignedOff: []})

    @events.receiver(events.EpisodeSignedOff)
    def record(event):
        seen.append((event, transaction.get_connection().in_atomic_block))

    with transaction.atomic():
        event = events.EpisodeSignedOff(episode=None)
        events.announce(event)
    assert seen == [(event, True)]


def test_the_report_figures_are_registered_for_every_change_they_count():
    from reports import receivers

    assert receivers.refresh_figures_of_episode_day in events.receivers_for(events.EpisodeScheduled)
    assert receivers.refresh_figures_of_episode_day in events.receivers_for(events.EpisodeCompleted)
    assert receivers.refresh_figures_of_episode_day in events.receivers_for(events.EpisodeCancelled)
    assert receivers.refresh_figures_of_both_days in events.receivers_for(events.EpisodeRescheduled)
    assert receivers.refresh_figures_of_task in events.receivers_for(events.TaskChanged)
