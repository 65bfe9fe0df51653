from django.urls import include, path

from . import views

app_name = "checklists"

episode_urls = [
    path("", views.episode_list, name="episode-list"),
    path("<int:pk>/", views.episode_detail, name="episode-detail"),
    path("<int:pk>/reschedule/", views.episode_reschedule, name="episode-reschedule"),
    path("<int:pk>/cancel/", views.episode_cancel, name="episode-cancel"),
    path("<int:pk>/sign-off/", views.episode_sign_off, name="episode-sign-off"),
]

task_urls = [
    path("<int:pk>/complete/", views.task_complete, name="task-complete"),
    path("<int:pk>/not-applicable/", views.task_mark_not_applicable, name="task-not-applicable"),
    path("<int:pk>/reopen/", views.task_reopen, name="task-reopen"),
    path("<int:pk>/reject-report/", views.task_reject_patient_report, name="task-reject-report"),
]

patient_urls = [
    path("new/", views.patient_create, name="patient-create"),
    path("<int:pk>/", views.patient_detail, name="patient-detail"),
    path("<int:patient_pk>/episodes/new/", views.episode_create, name="episode-create"),
]

urlpatterns = [
    path("episodes/", include(episode_urls)),
    path("tasks/", include(task_urls)),
    path("patients/", include(patient_urls)),
    path("protocols/", include("checklists.protocol_urls")),
]
