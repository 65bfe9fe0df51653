"""The words of the tasks a medicine puts on the checklist, written once and stored in English and Spanish.

A task row keeps both languages (`title`, `title_es`, ...), so each text is rendered twice from the
app's message catalogue (medicines/locale), whatever language the nurse's request is in.
"""

from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class TaskText:
    title: str
    title_es: str
    patient_instructions: str
    patient_instructions_es: str


@dataclass(frozen=True)
class Names:
    """A medicine's name in each language ("warfarin", "warfarina")."""

    en: str
    es: str


def _both_languages(names: Names, render) -> TaskText:
    with translation.override("en"):
        title, instructions = render(names.en)
    with translation.override("es"):
        title_es, instructions_es = render(names.es)
    return TaskText(title, title_es, instructions, instructions_es)


def decision_text(names: Names) -> TaskText:
    return _both_languages(
        names,
        lambda name: (
            _("Prescriber's decision for %(name)s") % {"name": name},
            _(
                "Your care team is asking the doctor who prescribed %(name)s whether and when you should stop "
                "it. Keep taking it as usual until we call you."
            )
            % {"name": name},
        ),
    )


def last_dose_text(names: Names, *, bridging: bool) -> TaskText:
    def render(name: str):
        instructions = _(
            "Take your last dose of %(name)s by the time shown. After that, do not take it again until the "
            "restart time on your list. If you take a dose by mistake, call the ward right away."
        ) % {"name": name}
        if bridging:
            instructions += " " + _(
                "Your care team gave you a plan for a short-acting blood thinner to use instead for a few days. "
                "Follow that plan exactly."
            )
        return _("Take your last dose of %(name)s") % {"name": name}, instructions

    return _both_languages(names, render)


def restart_text(names: Names) -> TaskText:
    return _both_languages(
        names,
        lambda name: (
            _("Restart %(name)s") % {"name": name},
            _(
                "You may take %(name)s again from the time shown, unless your care team tells you otherwise. "
                "If you are bleeding, or your back pain or leg weakness is new or worse, call us before you take it."
            )
            % {"name": name},
        ),
    )


def liquid_diet_text(names: Names) -> TaskText:
    return _both_languages(
        names,
        lambda name: (
            _("Start clear liquids only"),
            _(
                "From the time shown, have only clear liquids: water, apple juice with no pulp, clear broth, "
                "and black coffee or tea with no milk. No solid food until after your procedure, because "
                "%(name)s makes food stay longer in your stomach."
            )
            % {"name": name},
        ),
    )
