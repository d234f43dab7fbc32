"""Scoped reads for tracking. Every one starts from cases/access.py."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from cases.models import YoungPerson
from tracking import facts, rules
from tracking.models import Activity, ActivityCode, Characteristic, IntendedDestination, Offer


@dataclass(frozen=True)
class TimelineEntry:
    on: date
    kind: str
    what: str
    detail: str


def destinations_page(young_person: YoungPerson, on: date | None = None) -> dict:
    """The Destinations tab: a timeline of activities, offers and intended destinations, the
    characteristics, and today's evaluation by the rules (with the RONI factors behind the score)."""
    on = on or timezone.localdate()
    activities = list(Activity.objects.filter(young_person=young_person).select_related("code", "provider"))
    offers = list(Offer.objects.filter(young_person=young_person).select_related("offer_type", "provider"))
    intended = list(
        IntendedDestination.objects.filter(young_person=young_person).select_related("code", "provider")
    )
    timeline = (
        [
            TimelineEntry(
                a.start_date,
                "Activity",
                f"{a.code.code} {a.code.label}",
                _join(a.provider, a.end_date and f"until {a.end_date:%-d %b %Y}"),
            )
            for a in activities
        ]
        + [
            TimelineEntry(
                o.offered_on,
                f"Year {o.guarantee_year} offer",
                o.offer_type.label,
                _join(o.provider, o.get_state_display()),
            )
            for o in offers
        ]
        + [
            TimelineEntry(
                d.recorded_on, "Intended destination", f"{d.code.code} {d.code.label}", _join(d.provider)
            )
            for d in intended
        ]
    )
    person = next(facts.person_facts(YoungPerson.objects.filter(pk=young_person.pk)))
    evaluation = rules.evaluate(person, on, **facts.rule_tables())
    return {
        "timeline": sorted(timeline, key=lambda entry: entry.on, reverse=True),
        "activities": activities,
        "characteristics": list(
            Characteristic.objects.filter(young_person=young_person).select_related("code")
        ),
        "evaluation": evaluation,
        "activity_label": ActivityCode.objects.filter(code=evaluation.activity_code)
        .values_list("label", flat=True)
        .first(),
        "nc_year": rules.nc_year(young_person.date_of_birth, on),
        "neet_since": rules.neet_since(person, on),
        "guarantee_label": rules.Guarantee.LABELS.get(evaluation.guarantee, ""),
        "roni_band_label": rules.RONI_BAND_LABELS.get(evaluation.roni.band, "") if evaluation.roni else "",
        "on": on,
    }


def _join(*parts) -> str:
    return ", ".join(str(part) for part in parts if part)
