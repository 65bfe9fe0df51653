"""Twilio's webhooks: delivery reports and inbound replies (STOP/START), each signature-checked."""

from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from .services import contact_sms_opt_in, contact_sms_opt_out, message_record_provider_status

# Twilio's standard opt-out and opt-in keywords (it answers the patient itself).
STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"}
START_WORDS = {"START", "YES", "UNSTOP"}
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def twilio_signed(view):
    """Refuse (403) a request whose X-Twilio-Signature does not match our auth token and URL."""

    @wraps(view)
    def wrapper(request: HttpRequest) -> HttpResponse:
        url = settings.SITE_URL + request.get_full_path()
        signature = request.headers.get("X-Twilio-Signature", "")
        validator = RequestValidator(settings.TWILIO_AUTH_TOKEN)
        if not settings.TWILIO_AUTH_TOKEN or not validator.validate(url, request.POST.dict(), signature):
            return HttpResponseForbidden("Bad signature.")
        return view(request)

    return wrapper


@csrf_exempt
@require_POST
@twilio_signed
def twilio_status(request: HttpRequest) -> HttpResponse:
    message_record_provider_status(
        provider_id=request.POST.get("MessageSid", "")[:64],
        status=request.POST.get("MessageStatus", ""),
        error_code=request.POST.get("ErrorCode", "")[:16],
    )
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
@twilio_signed
def twilio_inbound(request: HttpRequest) -> HttpResponse:
    word = request.POST.get("Body", "").strip().upper()
    phone = request.POST.get("From", "")[:32]
    if word in STOP_WORDS:
        contact_sms_opt_out(phone=phone)
    elif word in START_WORDS:
        contact_sms_opt_in(phone=phone)
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")
