"""The record page's Retention tab tells an adviser or the DPO the last day a record is kept, by which
rule, and which legal holds pause its destruction today: the person's own and their whole team's, each
boundary of a hold pinned on both sides (placed today, ending today, ended yesterday, lifted)."""

import re
from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone

from retention.models import EsfParticipation, LegalHold

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


def retention_rows(client, person) -> dict[str, str]:
    html = client.get(reverse("cases:young-person-detail", args=[person.pk])).content.decode()
    panel = html[html.index("Kept until") - 200 :]
    panel = panel[: panel.index("</dl>")]
    rows = re.findall(r'__key">([^<]+)</dt>\s*<dd class="govuk-summary-list__value">(.*?)</dd>', panel, re.S)
    return dict(rows)


def hold(world, *, on_team=False, placed=0, until=None, lifted=False, reason="Claim"):
    today = timezone.localdate()
    return LegalHold.objects.create(
        young_person=None if on_team else world.case,
        team=world.team if on_team else None,
        reason=reason,
        placed_by=world.dpo,
        placed_on=today + timedelta(days=placed),
        until=None if until is None else today + timedelta(days=until),
        lifted_on=today if lifted else None,
        lifted_by=world.dpo if lifted else None,
    )


def test_the_tab_gives_the_last_day_kept_and_the_rule(world, client_for):
    rows = retention_rows(client_for(world.adviser), world.case)
    birthday = world.case.date_of_birth + relativedelta(years=25)
    assert rows["Kept until"] == f"{birthday:%-d %B %Y}, destroyed the day after"
    assert rows["Because of"] == "Whole record: until the 25th birthday"
    assert rows["Legal hold"] == "None"


def test_esf_funded_work_keeps_the_record_ten_years_after_its_project(world, client_for):
    ends = world.case.date_of_birth + relativedelta(years=20)
    EsfParticipation.objects.create(young_person=world.case, project="Impact", project_ends_on=ends)
    rows = retention_rows(client_for(world.adviser), world.case)
    assert rows["Kept until"].startswith(f"{ends + relativedelta(years=10):%-d %B %Y},")
    assert rows["Because of"] == "ESF-funded participation: 10 years after the project ends"


@pytest.mark.parametrize(
    ("kind", "held"),
    [
        ({"placed": 0}, True),  # placed today
        ({"placed": 1}, False),  # placed tomorrow
        ({"until": 0}, True),  # its last day
        ({"until": -1}, False),  # ended yesterday
        ({"lifted": True}, False),
        ({"on_team": True}, True),
    ],
)
def test_a_hold_pauses_destruction_only_while_it_is_in_force(world, client_for, kind, held):
    hold(world, **kind, reason="Insurance claim")
    rows = retention_rows(client_for(world.dpo), world.case)
    if held:
        team = "the whole team: " if kind.get("on_team") else ""
        assert rows["Legal hold"] == f"Held: destruction is paused ({team}Insurance claim)"
    else:
        assert rows["Legal hold"] == "None"


def test_another_teams_hold_is_not_this_records(world, client_for):
    LegalHold.objects.create(
        team=world.other_team, reason="Other", placed_by=world.dpo, placed_on=timezone.localdate() - DAY
    )
    assert retention_rows(client_for(world.dpo), world.case)["Legal hold"] == "None"
