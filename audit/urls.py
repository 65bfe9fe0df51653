from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("patients/<int:pk>/reads/", views.patient_reads, name="patient-reads"),
]
