"""The record's History tab shows only what the viewer may see where it is shown: a subject request
(the DPO's, in the admin) appears in the DPO's history of the record, never in an adviser's."""

import pytest
from django.urls import reverse
from django.utils import timezone

from sharing import services as sharing_services
from sharing.models import SubjectRequest

pytestmark = pytest.mark.django_db


def test_subject_request_details_are_in_the_dpos_history_only(world, client_for):
    sharing_services.subject_request_save(
        request=SubjectRequest(
            kind="access",
            requester_name="Odalys Quenby",
            relationship="parent",
            received_on=timezone.localdate(),
            young_person=world.case,
            outcome="Identity checked by phone",
        ),
        actor=world.dpo,
    )
    url = reverse("cases:young-person-history", args=[world.case.pk])
    for viewer, sees in ((world.adviser, False), (world.team_manager, False), (world.dpo, True)):
        page = client_for(viewer).get(url)
        assert page.status_code == 200
        kinds = {change.what for change in page.context["page"].object_list}
        assert ("Subject request" in kinds) is sees, viewer.username
        assert ("Odalys Quenby" in page.content.decode()) is sees, viewer.username
        assert ("Identity checked by phone" in page.content.decode()) is sees, viewer.username
