"""The report figures follow the clinical changes that can alter them (registered in ReportsConfig.ready)."""

from checklists.events import (
    EpisodeCancelled,
    EpisodeCompleted,
    EpisodeRescheduled,
    EpisodeScheduled,
    TaskChanged,
    receiver,
)

from .services import refresh_figures_for_episode, refresh_figures_for_task


@receiver(EpisodeScheduled, EpisodeCompleted, EpisodeCancelled)
def refresh_figures_of_episode_day(event) -> None:
    refresh_figures_for_episode(event.episode)


@receiver(EpisodeRescheduled)
def refresh_figures_of_both_days(event: EpisodeRescheduled) -> None:
    refresh_figures_for_episode(event.episode, previous_start=event.previous_start)


@receiver(TaskChanged)
def refresh_figures_of_task(event: TaskChanged) -> None:
    refresh_figures_for_task(event.task)
