"""Patients read the portal in their preferred language unless they picked another one."""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.utils import translation

from checklists.models import Patient


def chosen_language(request) -> str:
    """The language switcher's choice (its cookie) first, then the patient's preferred language."""
    if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) in dict(settings.LANGUAGES):
        # LocaleMiddleware has already activated it.
        return translation.get_language()
    if request.user.is_authenticated and request.user.is_patient:
        preferred = Patient.objects.filter(user=request.user).values_list("preferred_language", flat=True).first()
        if preferred in dict(settings.LANGUAGES):
            return preferred
    return translation.get_language()


def patient_language(view: Callable) -> Callable:
    """Render the view (and its messages) in the patient's language, and say so in Content-Language."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        language = chosen_language(request)
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = view(request, *args, **kwargs)
        # LocaleMiddleware only sets the header when it is missing.
        response.headers["Content-Language"] = language
        return response

    return wrapper
