from django.urls import include, path

from . import views

app_name = "portal"

episode_urls = [
    path("", views.episode_detail, name="episode"),
    path("print/", views.episode_print, name="episode-print"),
    path("checklist.pdf", views.episode_pdf, name="episode-pdf"),
    path("calendar.ics", views.episode_calendar, name="episode-calendar"),
    path("about/", views.episode_about, name="episode-about"),
    path("about/read/", views.episode_information_read, name="episode-information-read"),
]

urlpatterns = [
    path("", views.checklist, name="checklist"),
    path("warning-signs/", views.warning_signs, name="warning-signs"),
    path("episodes/<int:pk>/", include(episode_urls)),
    path("tasks/<int:pk>/report/", views.task_report, name="task-report"),
    path("tasks/<int:pk>/answer/", views.task_answer, name="task-answer"),
    # The care team's side of the portal: mounted under /my/ with the rest of the app's URLs.
    path("patients/<int:pk>/invite/", views.patient_invite, name="patient-invite"),
]
