"""The admin pages the DPO and the system administrator work in pass the same axe WCAG 2.2 AA rules
as the rest of the service, with the Content Security Policy intact (the page fixture fails on any
refusal): lists with their filters, and the forms they fill in."""

import pytest

from sharing import services
from sharing.models import AccessBundle
from tests.browser.conftest import sign_in
from tests.factories import BreachFactory
from tests.sharing.test_rights import request_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DPOS_PAGES = [
    "/admin/",
    "/admin/sharing/subjectrequest/",
    "/admin/sharing/subjectrequest/add/",
    "/admin/sharing/breach/",
    "/admin/sharing/breach/add/",
    "/admin/sharing/informationsharingagreement/",
    "/admin/sharing/informationsharingagreement/add/",
    "/admin/sharing/disclosure/",
    "/admin/cases/restriction/add/",
    "/admin/retention/legalhold/",
    "/admin/retention/legalhold/add/",
    "/admin/retention/retentionrule/",
    "/admin/retention/destructionrecord/",
]
SYSTEM_ADMINISTRATORS_PAGES = [
    "/admin/",
    "/admin/auth/user/",
    "/admin/auth/user/add/",
    "/admin/cases/team/add/",
    "/admin/cases/organisation/add/",
    "/admin/core/rolerequest/",
]


@pytest.mark.parametrize(("user", "pages"), [("dpo", DPOS_PAGES), ("sysadmin", SYSTEM_ADMINISTRATORS_PAGES)])
def test_the_admin_pages_each_role_works_in_are_accessible(page, world, assert_accessible, user, pages):
    breach = BreachFactory(recorded_by=world.dpo)
    request = services.subject_request_save(request=request_for(world), actor=world.dpo)
    bundle = AccessBundle.objects.create(request=request, state=AccessBundle.State.BUILDING, progress=40)
    changes = {
        "dpo": [
            f"/admin/sharing/breach/{breach.pk}/change/",
            f"/admin/sharing/subjectrequest/{request.pk}/change/",
            f"/admin/sharing/accessbundle/{bundle.pk}/change/",  # its progress while it is built
        ],
        "sysadmin": [f"/admin/auth/user/{world.adviser.pk}/change/"],
    }
    sign_in(page, getattr(world, user).username)
    for url in [*pages, *changes[user]]:
        response = page.goto(url)
        assert response is not None
        assert response.status == 200, url
        assert_accessible(page)
