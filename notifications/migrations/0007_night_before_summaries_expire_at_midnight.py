"""Night-before summaries already scheduled get the new limit: never sent once the procedure's day has begun
(they say "tomorrow"). Planned before the rule, they kept the procedure's start as their limit."""

from django.db import migrations

from checklists.hospital_time import day_start


def expire_at_the_start_of_the_procedures_day(apps, schema_editor):
    Message = apps.get_model("notifications", "Message")
    summaries = list(
        Message.objects.filter(kind="night_before", status="scheduled", episode__isnull=False).select_related("episode")
    )
    for summary in summaries:
        summary.expires_at = day_start(summary.episode.scheduled_start)
    Message.objects.bulk_update(summaries, ["expires_at"])


class Migration(migrations.Migration):
    dependencies = [("notifications", "0006_message_arrival_changed")]

    operations = [migrations.RunPython(expire_at_the_start_of_the_procedures_day, migrations.RunPython.noop)]
