from django.urls import path

from . import views

app_name = "medicines"

urlpatterns = [
    path("episodes/<int:pk>/medicines/", views.plan, name="plan"),
    path("episodes/<int:pk>/medicines/add/", views.medicine_add, name="medicine-add"),
    path("episodes/<int:pk>/medicines/review/", views.review_record, name="review-record"),
    path("episodes/<int:pk>/labs/", views.lab_record, name="lab-record"),
    path("medicines/<int:pk>/decide/", views.medicine_decide, name="medicine-decide"),
    path("medicines/<int:pk>/remove/", views.medicine_remove, name="medicine-remove"),
    path("my/episodes/<int:pk>/medicines/", views.my_medicines, name="my-medicines"),
]
