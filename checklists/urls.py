from django.urls import include, path

from . import edit_views, huddle_views, patient_views, views

app_name = "checklists"

episode_urls = [
    path("", views.episode_list, name="episode-list"),
    path("after-care/", views.after_care_list, name="after-care-list"),
    path("huddle/", huddle_views.huddle_sheet, name="huddle-sheet"),
    path("huddle.pdf", huddle_views.huddle_sheet_pdf, name="huddle-sheet-pdf"),
    path("<int:pk>/", views.episode_detail, name="episode-detail"),
    path("<int:pk>/edit/", edit_views.episode_edit, name="episode-edit"),
    path("<int:pk>/reschedule/", views.episode_reschedule_view, name="episode-reschedule"),
    *(
        path(f"<int:pk>/{action}/", views.episode_change, {"action": action}, name=f"episode-{action}")
        for action in views.EPISODE_ACTIONS
    ),
]

task_urls = [
    path(f"<int:pk>/{action}/", views.task_change, {"action": action}, name=f"task-{action}")
    for action in views.TASK_ACTIONS
]

patient_urls = [
    path("new/", patient_views.patient_create, name="patient-create"),
    path("<int:pk>/", patient_views.patient_detail, name="patient-detail"),
    path("<int:pk>/edit/", edit_views.patient_edit, name="patient-edit"),
    path("<int:patient_pk>/episodes/new/", patient_views.episode_create, name="episode-create"),
]

urlpatterns = [
    path("episodes/", include(episode_urls)),
    path("tasks/", include(task_urls)),
    path("patients/", include(patient_urls)),
    path("protocols/", include("checklists.protocol_urls")),
]
