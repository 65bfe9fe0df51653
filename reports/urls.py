from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.completion_report, name="completion"),
    path("<slug:table>.csv", views.table_csv, name="table-csv"),
]
