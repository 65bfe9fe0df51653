"""The restart and clear-liquid tasks already on checklists read "From …", never "By …" (see plan_tasks).

Each task switched gets a history row saying why, as every change to a task does (the historical
models of a migration send no simple-history signals, so the row is written here)."""

from django.db import migrations
from django.db.models import Q
from django.utils import timezone

REASON = 'Restart and clear-liquid steps read "From" their time, not "By" it (a restart is never earlier)'


def from_their_time(apps, schema_editor):
    EpisodeMedicine = apps.get_model("medicines", "EpisodeMedicine")
    ChecklistTask = apps.get_model("checklists", "ChecklistTask")
    HistoricalChecklistTask = apps.get_model("checklists", "HistoricalChecklistTask")
    plans = EpisodeMedicine.objects.filter(Q(restart_task__isnull=False) | Q(liquid_diet_task__isnull=False))
    task_ids = {pk for pair in plans.values_list("restart_task", "liquid_diet_task") for pk in pair if pk}
    # Never critical (the medicines app adds them non-critical), so the constraint holds.
    tasks = ChecklistTask.objects.filter(pk__in=task_ids, is_critical=False).exclude(due_means="from")
    now = timezone.now()
    for task in tasks:
        task.due_means = "from"
        task.save(update_fields=["due_means"])
        fields = {field.attname: getattr(task, field.attname) for field in ChecklistTask._meta.concrete_fields}
        HistoricalChecklistTask.objects.create(
            **fields, history_date=now, history_type="~", history_change_reason=REASON, history_user=None
        )


class Migration(migrations.Migration):
    dependencies = [
        ("medicines", "0001_initial"),
        ("checklists", "0015_task_due_means_from"),
    ]

    operations = [migrations.RunPython(from_their_time, migrations.RunPython.noop)]
