"""Reading a person's restrictions: which are in force, whether processing is restricted (Article 18
or 21: only the DPO may change or share the record), and who controls an s507B restriction. Writes
check them in ``cases.services.tracked_save``; sharing trims and refuses by them."""

from collections.abc import Iterable
from datetime import date

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from cases.models import Restriction, YoungPerson


def active_restrictions(young_person: YoungPerson, on: date | None = None) -> list[Restriction]:
    on = on or timezone.localdate()
    return [r for r in young_person.restrictions.all() if r.is_active_on(on)]


def processing_restricted(young_person: YoungPerson) -> bool:
    """Article 18 restriction or Article 21 objection: only the DPO may edit or share."""
    return any(r.kind != Restriction.Kind.S507B for r in active_restrictions(young_person))


def kinds_in_force(ids: Iterable[int] | None = None, on: date | None = None) -> dict[int, set[str]]:
    """The kinds of restriction in force on each of many records (None: on every record), read in
    one query; records with none are left out."""
    on = on or timezone.localdate()
    found: dict[int, set[str]] = {}
    in_force = Restriction.objects.filter(set_on__lte=on).exclude(lifted_on__lte=on)
    if ids is not None:
        in_force = in_force.filter(young_person_id__in=list(ids))
    for person_id, kind in in_force.values_list("young_person_id", "kind"):
        found.setdefault(person_id, set()).add(kind)
    return found


def s507b_controlled_by_young_person(date_of_birth: date, on: date) -> bool:
    """The right to restrict passes from the parent to the young person at 16."""
    return on >= date_of_birth + relativedelta(years=16)


def restriction_notices(young_person: YoungPerson) -> list[str]:
    """The banner on every page about a restricted record."""
    notices = []
    for restriction in active_restrictions(young_person):
        since = f"{restriction.set_on:%-d %B %Y}"
        if restriction.kind == Restriction.Kind.S507B:
            who = (
                "the young person"
                if s507b_controlled_by_young_person(young_person.date_of_birth, timezone.localdate())
                else "their parent or carer"
            )
            notices.append(
                f"Section 507B restriction since {since} (set by {restriction.get_set_by_display().lower()}"
                f"): only name, address and date of birth, and a parent's name and address, may be "
                f"shared. It is now {who}'s to change."
            )
        else:
            notices.append(
                f"{restriction.get_kind_display().split(':')[0]} since {since}: processing is "
                f"restricted, and only the data protection officer may change or share this record."
            )
    return notices
