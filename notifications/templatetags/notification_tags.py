from django import template

from ..selectors import contact_problems, episode_message_log

register = template.Library()


@register.inclusion_tag("notifications/_message_log.html")
def message_log(episode):
    """The episode's delivery log for nurses (one query)."""
    return {"messages": episode_message_log(episode)}


@register.inclusion_tag("notifications/_contact_problem_list.html")
def contact_problem_list():
    """Upcoming patients whom messages cannot reach (two queries)."""
    return {"problems": contact_problems()}
