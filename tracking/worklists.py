"""The tracking work lists an adviser works from, registered on cases' caseload page."""

from datetime import timedelta

from django.db.models import Q

from cases.worklists import WorkList, register
from tracking.models import Status
from tracking.rules import Guarantee

LAPSING_DAYS = 30
REVIEW_DAYS = 7


def _review_due(today) -> Q:
    """An activity in force whose review date has come or comes within ``REVIEW_DAYS`` (the earliest,
    stored with the status: refreshed with every change to an activity, and nightly)."""
    return Q(current_status__review_on__lte=today + timedelta(days=REVIEW_DAYS))


def _in_cohort(**conditions) -> Q:
    return Q(
        current_status__in_service_cohort=True, **{f"current_status__{k}": v for k, v in conditions.items()}
    )


def register_work_lists() -> None:
    register(
        WorkList("neet", "NEET", lambda today: _in_cohort(status=Status.NEET)),
        WorkList("not_known", "Not known", lambda today: _in_cohort(status=Status.NOT_KNOWN)),
        WorkList(
            "lapsing",
            f"Currency lapses in the next {LAPSING_DAYS} days",
            lambda today: _in_cohort(currency_lapses_on__range=(today, today + timedelta(days=LAPSING_DAYS))),
        ),
        WorkList(
            "no_offer",
            "September Guarantee: no offer",
            lambda today: _in_cohort(guarantee__in=[Guarantee.NO_OFFER, Guarantee.NOT_RECORDED]),
        ),
        WorkList(
            "high_roni",
            "Risk of NEET: substantial support",
            lambda today: _in_cohort(roni_band="substantial"),
        ),
        WorkList("review_due", f"Activity review due within {REVIEW_DAYS} days", _review_due, task=True),
    )
