from django.urls import path

from . import contact, editor, views

app_name = "notifications"

message_slot = "protocols/versions/<int:pk>/messages/<slug:kind>/<slug:channel>/<slug:language>/"

urlpatterns = [
    path("twilio/status/", views.twilio_status, name="twilio-status"),
    path("twilio/inbound/", views.twilio_inbound, name="twilio-inbound"),
    path("patients/<int:pk>/contact/", contact.contact_preference_edit, name="contact-preference-edit"),
    path("protocols/versions/<int:pk>/messages/", editor.message_template_list, name="message-template-list"),
    path(message_slot, editor.message_template_edit, name="message-template-edit"),
    path(message_slot + "use-previous/", editor.message_template_use_previous, name="message-template-use-previous"),
]
