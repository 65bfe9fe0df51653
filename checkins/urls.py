from django.urls import path

from . import views

app_name = "checkins"

urlpatterns = [
    path("<int:pk>/", views.checkin_answer, name="answer"),
    path("link/<str:token>/", views.checkin_link, name="link"),
    path("alerts/", views.alert_queue, name="alert-queue"),
    path("alerts/count/", views.alert_count, name="alert-count"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert-acknowledge"),
]
