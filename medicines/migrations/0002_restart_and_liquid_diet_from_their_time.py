"""The restart and clear-liquid tasks already on checklists read "From …", never "By …" (see plan_tasks)."""

from django.db import migrations
from django.db.models import Q


def from_their_time(apps, schema_editor):
    EpisodeMedicine = apps.get_model("medicines", "EpisodeMedicine")
    ChecklistTask = apps.get_model("checklists", "ChecklistTask")
    ids = EpisodeMedicine.objects.filter(Q(restart_task__isnull=False) | Q(liquid_diet_task__isnull=False))
    task_ids = {pk for pair in ids.values_list("restart_task", "liquid_diet_task") for pk in pair if pk}
    # Never critical (the medicines app adds them non-critical), so the constraint holds.
    ChecklistTask.objects.filter(pk__in=task_ids, is_critical=False).update(due_means="from")


class Migration(migrations.Migration):
    dependencies = [
        ("medicines", "0001_initial"),
        ("checklists", "0015_task_due_means_from"),
    ]

    operations = [migrations.RunPython(from_their_time, migrations.RunPython.noop)]
