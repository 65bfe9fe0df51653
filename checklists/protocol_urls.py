"""The protocol editor (admins only), included under /protocols/ in the checklists namespace."""

from django.urls import path

from . import protocol_views as views

TASKS = {"pages": views.TASK_PAGES}
SIGNS = {"pages": views.SIGN_PAGES}

urlpatterns = [
    path("", views.protocol_list, name="protocol-list"),
    path("<int:pk>/history/", views.protocol_history, name="protocol-history"),
    path("<int:pk>/drafts/new/", views.protocol_draft_create, name="protocol-draft-create"),
    path("versions/<int:pk>/", views.protocol_version_detail, name="protocol-version-detail"),
    path("versions/<int:pk>/tasks/new/", views.protocol_item_create, TASKS, name="protocol-task-create"),
    path("versions/<int:pk>/publish/", views.protocol_version_publish, name="protocol-version-publish"),
    path("versions/<int:pk>/discard/", views.protocol_draft_discard, name="protocol-draft-discard"),
    path("versions/<int:pk>/diff/", views.protocol_version_diff, name="protocol-version-diff"),
    path("tasks/<int:pk>/edit/", views.protocol_item_edit, TASKS, name="protocol-task-edit"),
    path("tasks/<int:pk>/delete/", views.protocol_item_delete, TASKS, name="protocol-task-delete"),
    path("tasks/<int:pk>/move/", views.protocol_task_move, name="protocol-task-move"),
    path(
        "versions/<int:pk>/warning-signs/new/", views.protocol_item_create, SIGNS, name="protocol-warning-sign-create"
    ),
    path("warning-signs/<int:pk>/edit/", views.protocol_item_edit, SIGNS, name="protocol-warning-sign-edit"),
    path("warning-signs/<int:pk>/delete/", views.protocol_item_delete, SIGNS, name="protocol-warning-sign-delete"),
]
