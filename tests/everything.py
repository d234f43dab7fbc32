"""One person with something in every table that can hold a young person's data, as the purge,
the access bundle, the history tab and merging must each find it."""

from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cases.models import Attendance, IdentifierClash, Restriction
from exchange import services as exchange_services
from exchange.models import ReviewItem
from retention.models import EsfParticipation, LegalHold, ScannedDocument
from sharing import services as sharing_services
from sharing.models import Breach, Consent, InformationSharingAgreement, SubjectRequest
from tests.factories import (
    ContactFactory,
    ImportBatchFactory,
    OrganisationFactory,
    ParentCarerFactory,
    QualificationFactory,
    SensitiveNoteFactory,
    YoungPersonFactory,
)
from tracking import dashboards
from tracking import services as tracking_services
from tracking.models import (
    ActivityCode,
    CharacteristicCode,
    CohortExit,
    IntendedDestination,
    Offer,
    OfferType,
)

IDENTIFYING = {
    "legal_given_name": "Zephyrine",
    "legal_family_name": "Quillfeather",
    "email": "zq@example.org",
    "phone": "07700 900777",
}


def everything_about(world, client_for, django_capture_on_commit_callbacks, *, left: bool = True):
    """One person with a row behind every link in cases.registry and several edits, aged 24 and 11
    months, on file for a year; ``left=False`` leaves out their cohort exit (a merge refuses one).
    Returns the person and the name of their stored file."""
    today = timezone.localdate()
    person = YoungPersonFactory(
        team=world.team,
        lead_adviser=world.adviser,
        date_of_birth=today - relativedelta(years=25) + timedelta(days=20),
        on_file_since=today - relativedelta(years=1),
        **IDENTIFYING,
    )
    adviser = world.adviser
    contact = ContactFactory(
        young_person=person, staff_member=adviser, notes="Quillfeather visited the college"
    )
    case_services.action_add(
        young_person=person,
        actor=adviser,
        contact=contact,
        description="Apply",
        owner="young_person",
        due_on=today,
    )
    ParentCarerFactory(young_person=person, name="Parent Quillfeather")
    QualificationFactory(young_person=person)
    SensitiveNoteFactory(young_person=person, note="Quillfeather health note", recorded_by=adviser)
    for phone in ("07700 900778", IDENTIFYING["phone"]):
        case_services.young_person_update(young_person=person, actor=adviser, reason="New phone", phone=phone)
    tracking_services.activity_record(
        young_person=person,
        actor=adviser,
        code=ActivityCode.objects.get(code="619"),
        start_date=today - timedelta(days=30),
        date_ascertained=today,
        review_date=today + timedelta(days=3),  # on the reviews-due work list
    )
    tracking_services.characteristic_record(
        young_person=person, actor=adviser, start_date=today, code=CharacteristicCode.objects.get(code="140")
    )
    IntendedDestination.objects.create(
        young_person=person, code=ActivityCode.objects.get(code="310"), recorded_on=today
    )
    Consent.objects.create(
        young_person=person, category="education", purpose="College", given_by="young_person", given_on=today
    )
    _the_rest_of_what_is_held(world, person, today)
    Restriction.objects.create(young_person=person, kind="s507b", set_by="young_person", set_on=today)
    college = OrganisationFactory(name="College")
    agreement = InformationSharingAgreement.objects.create(
        title="ISA", purpose="x", article_6_basis="6(1)(e)", categories=["identity"], starts_on=today
    )
    agreement.parties.add(college)
    sharing_services.share(
        actor=adviser, young_people=[person], categories=["identity"], purpose="Enrolment", recipient=college
    )
    sharing_services.share(  # names them in its text; kept for the other person, naming no one
        actor=world.dpo,
        young_people=[person, world.case],
        categories=["identity"],
        purpose="Zephyrine Quillfeather's references, for her tutor",
        recipient=college,
        recipient_name="Tutor of Zephyrine Quillfeather",
    )
    request = sharing_services.subject_request_save(
        request=SubjectRequest(
            kind="access",
            requester_name="Zephyrine Quillfeather",  # they asked themselves
            relationship="self",
            received_on=today,
            young_person=person,
        ),
        actor=world.dpo,
    )
    with django_capture_on_commit_callbacks(execute=True):
        sharing_services.access_bundle_request(subject_request=request, actor=world.dpo)
    breach = Breach.objects.create(
        aware_at=timezone.now(),
        what_happened="x",
        breach_type="confidentiality",
        risk="risk",
        risk_assessment="x",
        recorded_by=world.dpo,
    )
    breach.young_people.add(person)
    EsfParticipation.objects.create(
        young_person=person, project="Impact", project_ends_on=today - relativedelta(years=11)
    )
    document = ScannedDocument(young_person=person, title="Action plan", uploaded_on=today)
    document.file.save("plan.txt", ContentFile(b"Quillfeather action plan"), save=True)
    case_services.co_worker_grant(
        young_person=person,
        user=world.colleague,
        actor=world.team_manager,
        until=today + timedelta(days=5),
        reason="Cover",
    )
    batch = ImportBatchFactory(
        source_organisation=college,
        team=world.team,
        file_sha256="roll",
        uploaded_by=world.service_manager,
    )
    born = person.date_of_birth.isoformat()
    day_month_year = f"{person.date_of_birth:%d/%m/%Y}"
    for name, lines in (  # unfinished imports, their whole files kept: two name the person, one does not
        (
            "by-name.csv",
            f"upn,given_name,family_name,date_of_birth\n,ZEPHYRINE,Quillfeather,{day_month_year}\n",
        ),
        ("by-upn.csv", f"upn,given_name,family_name,date_of_birth\n{person.upn},Z,Q,2000-01-01\n"),
        ("other.csv", f"upn,given_name,family_name,date_of_birth\n,Ottoline,Quenby,{day_month_year}\n"),
    ):
        ImportBatchFactory(
            source_organisation=college,
            team=world.team,
            file_name=name,
            file_sha256=name,
            uploaded_by=world.service_manager,
            state="checking",
            content=lines.encode(),
        )
    for line, row in enumerate(  # rows waiting for review: no link to the person, only their details
        (
            {"upn": person.upn, "given_name": "Zeph", "family_name": "Q", "date_of_birth": born},
            {"given_name": "ZEPHYRINE", "family_name": "quillfeather", "date_of_birth": born, "upn": ""},
            {
                "given_name": "Ottoline",
                "family_name": "Quenby",
                "date_of_birth": born,
                "upn": "",
            },  # someone else
        ),
        start=2,
    ):
        ReviewItem.objects.create(
            batch=batch, line=line, kind="possible_match", reason="a possible match", row=row
        )
    review = ReviewItem.objects.create(
        batch=batch, line=5, kind="possible_match", reason="a possible match", row={}, young_person=person
    )
    review.candidates.add(person)
    if left:
        case_services.tracked_save(
            CohortExit(young_person=person, reason=CohortExit.Reason.LEFT_ENGLAND, left_on=today),
            actor=adviser,
            reason="Moved abroad",
        )
    client_for(adviser).get(reverse("cases:young-person-detail", args=[person.pk]))
    return person, document.file.name


def _the_rest_of_what_is_held(world, person, today):
    """Attendance, a guarantee offer, statuses, merges both ways, identifier clashes both ways, a
    self-update link and a lifted legal hold."""
    adviser = world.adviser
    Attendance.objects.create(
        young_person=person, academic_year=today.year - 10, sessions_possible=300, sessions_attended=240
    )
    case_services.tracked_save(  # in Year 11 once (offer_record checks the cohort on today's rules)
        Offer(
            young_person=person,
            guarantee_year=11,
            offer_type=OfferType.objects.first(),
            offered_on=today - relativedelta(years=9),
        ),
        actor=adviser,
        reason="An old offer",
    )
    tracking_services.status_refresh(young_person_ids=[person.pk])
    tracking_services.month_end_statuses_store(month_end=dashboards.month_ends_before(today, 1)[0])
    duplicate = YoungPersonFactory(team=world.team)
    tracking_services.records_merge(kept=person, merged=duplicate, actor=world.team_manager, reason="Same")
    mistaken = tracking_services.records_merge(
        kept=YoungPersonFactory(team=world.team), merged=person, actor=world.team_manager, reason="Same?"
    )
    tracking_services.merge_undo(merge=mistaken, actor=world.team_manager)
    IdentifierClash.objects.create(
        young_person=person, holder=world.other_case, field="uln", raised_by=adviser
    )
    IdentifierClash.objects.create(
        young_person=world.other_case, holder=person, field="upn", raised_by=adviser
    )
    exchange_services.self_update_send(young_person=person, actor=adviser)
    LegalHold.objects.create(
        young_person=person,
        reason="A tribunal, now over",
        placed_by=world.dpo,
        placed_on=today - timedelta(days=90),
        lifted_on=today - timedelta(days=1),
        lifted_by=world.dpo,
    )
