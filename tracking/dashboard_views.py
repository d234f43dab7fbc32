"""Managers' dashboards: today's figures from CurrentStatus, history from the monthly snapshots,
drill-down to the people behind any figure (only those the viewer may see), CSV of the aggregates."""

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from cases import access
from cases.models import Ethnicity, Team, YoungPerson
from core.spreadsheets import write_csv
from tracking import dashboards
from tracking.models import CharacteristicCode, MonthlySnapshot, TrackingPermission

D = MonthlySnapshot.Dimension
TEAM_DASHBOARD, SERVICE_DASHBOARD = (
    TrackingPermission.VIEW_TEAM_DASHBOARD,
    TrackingPermission.VIEW_SERVICE_DASHBOARD,
)
BREAKDOWNS = [D.ACADEMIC_AGE, D.TEAM, D.AREA, D.SEND, D.CHARACTERISTIC, D.VULNERABLE, D.GENDER, D.ETHNICITY]
dashboard_access = access.any_model_permission(TEAM_DASHBOARD, SERVICE_DASHBOARD)


def _teams(request):
    """The teams this dashboard covers: every team for service-wide viewers, else those the user
    manages; narrowed to one team by ?team= when it is among them."""
    user = request.user
    teams = Team.objects.all() if user.has_perm(SERVICE_DASHBOARD) else Team.objects.filter(group__user=user)
    chosen = request.GET.get("team", "")
    return (
        teams.filter(pk=chosen) if chosen.isdigit() and teams.filter(pk=chosen).exists() else teams
    ), teams


def _labels(dimension: str) -> dict:
    labels: dict[str, Callable[[], dict[str, str]]] = {
        D.TEAM: lambda: {str(pk): name for pk, name in Team.objects.values_list("pk", "name")},
        D.SEND: lambda: dict(YoungPerson.SenStatus.choices),
        D.GENDER: lambda: dict(YoungPerson.Gender.choices),
        D.ETHNICITY: lambda: dict(Ethnicity.objects.values_list("code", "label")),
        D.CHARACTERISTIC: lambda: dict(CharacteristicCode.objects.values_list("code", "label")),
        D.VULNERABLE: lambda: {"yes": "In the vulnerable group", "no": "Not in the vulnerable group"},
    }
    return labels[dimension]() if dimension in labels else {}


def _with_rates(row: dict) -> dict:
    cohort = row["cohort"]
    return {
        **row,
        "neet_rate": dashboards.rate(row["neet"], cohort),
        "not_known_rate": dashboards.rate(row["not_known"], cohort),
        "combined_rate": dashboards.rate(row["neet"] + row["not_known"], cohort),
        "participation_rate": dashboards.rate(row["participating"], cohort),
        "offer_rate": dashboards.rate(row.get("guarantee_offers", 0), row.get("guarantee_cohort", 0)),
    }


def _winter_average(teams) -> dict | None:
    """December to February: the average of the three month-end counts, then the rate."""
    months = dashboards.winter_months(timezone.localdate())
    totals = dashboards.snapshot_totals(teams, months)
    if len(totals) < 3:
        return None
    average = {name: sum(totals[m][name] for m in months) / 3 for name in dashboards.MEASURES}
    return {"months": months, **_with_rates(average)}


def _figures(user, teams) -> dict:
    """Everything the dashboard shows for these teams (about 30 aggregate queries)."""
    statuses = dashboards.statuses_in(user, teams)
    breakdowns = []
    for dimension, found in dashboards.now_breakdowns(statuses, BREAKDOWNS).items():
        labels = _labels(dimension)
        rows = [
            _with_rates({**row, "label": labels.get(row["value"], row["value"] or "Not recorded")})
            for row in found
        ]
        breakdowns.append(
            {
                "dimension": dimension,
                "label": D(dimension).label,
                "rows": rows,
            }
        )
    month_ends = dashboards.month_ends_before(timezone.localdate(), 12)
    history = dashboards.snapshot_totals(teams, month_ends)
    trend = [
        _with_rates({**history[m], "month_end": m, "label": f"{m:%b %Y}"}) for m in month_ends if m in history
    ]
    now = _with_rates(dashboards.now_totals(statuses))
    return {
        "now": now,
        "winter": _winter_average(teams),
        "breakdowns": breakdowns,
        "trend": trend,
        "as_at": now.pop("as_at"),
    }


@dashboard_access
@require_http_methods(["GET"])
def dashboard(request):
    teams, allowed = _teams(request)
    figures, figures_key = dashboards.cached(request.user, teams, lambda: _figures(request.user, teams))
    rows = [*figures["trend"], *(row for breakdown in figures["breakdowns"] for row in breakdown["rows"])]
    scale = dashboards.common_scale([row["combined_rate"] for row in rows])
    for row in rows:
        row["bar"] = scale.width(row["combined_rate"])
    context = {
        **figures,
        "scale": scale,
        "teams": allowed,
        "team": request.GET.get("team", ""),
        "service_wide": request.user.has_perm(SERVICE_DASHBOARD),
        "refresh_minutes": settings.DASHBOARD_CACHE_SECONDS // 60,
        "figures_key": figures_key,  # the figures' HTML is kept beside them (tens of ms a page to render)
        "figures_seconds": settings.DASHBOARD_CACHE_SECONDS if figures_key else 0,
    }
    return render(request, "tracking/dashboard.html", context)


@dashboard_access
@require_http_methods(["GET"])
def dashboard_csv(request):
    teams, _ = _teams(request)
    statuses = dashboards.statuses_in(request.user, teams)
    header = ["breakdown", "value", "label", *dashboards.MEASURES]
    totals = dashboards.now_totals(statuses)
    rows = [["all", "all", "16-17 headline cohort", *(totals[m] for m in dashboards.MEASURES)]]
    for dimension in BREAKDOWNS:
        labels = _labels(dimension)
        rows += [
            [
                dimension,
                row["value"],
                labels.get(row["value"], row["value"]),
                *(row.get(m, "") for m in dashboards.MEASURES),
            ]
            for row in dashboards.now_breakdown(statuses, dimension)
        ]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="dashboard-{timezone.localdate():%Y-%m-%d}.csv"'
    write_csv(response, header, rows)
    return response


MEASURE_LABELS = {
    "cohort": "In the cohort",
    "eet": "In education, employment or training",
    "neet": "NEET",
    "not_known": "Not known",
    "excluded": "In custody",
    "participating": "Participating",
    "guarantee_cohort": "In a September Guarantee cohort",
    "guarantee_offers": "With a September Guarantee offer",
}


NUMBERED = (D.TEAM, D.ACADEMIC_AGE)  # dimensions whose values are whole numbers (ids, ages)


@dashboard_access
@require_http_methods(["GET"])
def drill_down(request):
    teams, _ = _teams(request)
    measure = request.GET.get("measure", "")
    dimension = request.GET.get("dimension", "")
    value = request.GET.get("value", "")
    if dimension in NUMBERED and not (value.isdigit() and len(value) <= 18):
        raise BadRequest("This link to the dashboard is not valid")  # a hand-edited value: 400, not 500
    people = dashboards.drill_down(dashboards.statuses_in(request.user, teams), measure, dimension, value)
    page = Paginator(people.order_by("legal_family_name", "legal_given_name", "pk"), 25).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    title = MEASURE_LABELS.get(measure, "Young people")
    if dimension:
        title += f": {D(dimension).label.lower() if dimension in D.values else dimension} "
        title += str(_labels(dimension).get(value, value or "not recorded"))
    return render(
        request, "tracking/drill_down.html", {"page": page, "title": title, "query": query.urlencode()}
    )
