from django import template

from ..contact import form_for
from ..models import preference_for
from ..selectors import contact_problems, episode_message_log

register = template.Library()


@register.inclusion_tag("notifications/_message_log.html")
def message_log(episode):
    """The episode's delivery log for nurses (one query)."""
    return {"messages": episode_message_log(episode)}


# The box above the worklist shows the soonest few; the rest are folded, so the worklist stays on the first screen.
CONTACT_PROBLEMS_SHOWN = 5


@register.inclusion_tag("notifications/_contact_problem_list.html")
def contact_problem_list():
    """Upcoming patients whom messages cannot reach, soonest procedure first (two queries)."""
    problems = contact_problems()
    return {
        "count": len(problems),
        "shown": problems[:CONTACT_PROBLEMS_SHOWN],
        "folded": problems[CONTACT_PROBLEMS_SHOWN:],
    }


@register.inclusion_tag("notifications/_contact_preference_form.html", takes_context=True)
def contact_preference_form(context, patient):
    """How the patient wants to be reached; nurses change it (one query)."""
    return {
        "patient": patient,
        "preference": preference_for(patient),
        "form": form_for(patient),
        "can_edit": context["user"].is_nurse,
        "csrf_token": context.get("csrf_token"),
    }
