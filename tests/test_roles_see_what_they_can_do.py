"""Each role is offered only what it can do: every link in the menu and among a record's actions
opens for the user it is shown to, and the system administrator, who has no young people, starts in
the admin."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
PERSONAS = ["adviser", "team_manager", "service_manager", "dpo", "sysadmin", "nobody"]


def links_in(html: str, region: str) -> list[str]:
    """The hrefs inside the first element whose opening tag contains ``region``."""
    start = html.find(region)
    if start == -1:
        return []
    end = html.find("</nav>" if "nav" in region else "</div>", start)
    return [href for href in re.findall(r'href="([^"#]+)"', html[start:end]) if href.startswith("/")]


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_menu_link_opens_for_the_user_it_is_shown_to(world, client_for, persona):
    user = getattr(world, persona)
    client = client_for(user)
    page = client.get("/", follow=True)
    assert page.status_code == 200
    offered = links_in(page.content.decode(), 'aria-label="Menu"')
    refused = [url for url in offered if client.get(url).status_code != 200]
    assert refused == []


@pytest.mark.parametrize("persona", ["adviser", "team_manager", "service_manager", "dpo"])
def test_every_action_on_a_record_opens_for_the_user_it_is_shown_to(world, client_for, persona):
    client = client_for(getattr(world, persona))
    page = client.get(reverse("cases:young-person-detail", args=[world.case.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    offered = links_in(html, 'class="govuk-button-group"') + links_in(html, "app-more-actions")
    assert offered
    refused = [url for url in offered if client.get(url).status_code != 200]
    assert refused == []


def test_a_read_only_service_manager_is_not_offered_share_or_transfer(world, client_for):
    html = client_for(world.service_manager).get(reverse("cases:young-person-detail", args=[world.case.pk]))
    assert ">Share<" not in html.content.decode()
    assert "Moved to another council" not in html.content.decode()
    adviser = client_for(world.adviser).get(reverse("cases:young-person-detail", args=[world.case.pk]))
    assert ">Share<" in adviser.content.decode()


def test_the_system_administrator_starts_in_the_admin_and_is_offered_no_caseload(world, client_for):
    page = client_for(world.sysadmin).get("/", follow=True)
    assert page.redirect_chain[-1][0] == reverse("admin:index")
    assert "My caseload" not in page.content.decode()
    adviser = client_for(world.adviser).get("/", follow=True)
    assert adviser.redirect_chain[-1][0] == reverse("cases:caseload")
