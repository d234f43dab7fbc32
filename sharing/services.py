"""Every flow of personal data out of the service goes through ``share()``; the DPO's rights work is
here too. Refused shares are recorded as refused disclosures, with the reason shown to the user."""

import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from cases import access, registry
from cases.models import Organisation, YoungPerson, YoungPersonPermission
from cases.restrictions import kinds_in_force, processing_restricted
from cases.services import tracked_save
from core.types import Actor
from sharing import bundles, rules, tasks
from sharing.models import (
    AccessBundle,
    DataCategory,
    DisclosedPerson,
    Disclosure,
    SharingPermission,
    SubjectRequest,
)
from sharing.selectors import agreement_for, former_pupils, serialise, share_rows, third_party_names
from tracking import nccis
from tracking.models import Activity, CohortExit, CurrentStatus


class ShareRefused(Exception):  # noqa: N818 - a refusal, not a fault
    def __init__(self, reason: str, disclosure: Disclosure):
        super().__init__(reason)
        self.reason, self.disclosure = reason, disclosure


@dataclass(frozen=True)
class Override:
    """A share without an agreement: a legal duty or safeguarding, with its Schedule 1 condition."""

    kind: str
    condition: str
    justification: str


# --- The one exit ------------------------------------------------------------------------------


@transaction.atomic
def _disclose(*, people: Iterable[int], content: bytes | None = None, **details: Any) -> Disclosure:
    """The one writer of disclosures: every release and every refused attempt, with the people it
    covered (record ids) and the SHA-256 of the file that left (``content``)."""
    if content is not None:
        details["file_sha256"] = hashlib.sha256(content).hexdigest()
    disclosure = Disclosure.objects.create(**details)
    DisclosedPerson.objects.bulk_create(
        (DisclosedPerson(disclosure=disclosure, young_person_id=pk) for pk in people), batch_size=2000
    )
    return disclosure


def _refuse(reason: str, **attempt: Any) -> None:
    people = [person.pk for person in attempt.pop("people")]
    disclosure = _disclose(
        people=people, outcome=Disclosure.Outcome.REFUSED, refusal_reason=reason, **attempt
    )
    raise ShareRefused(reason, disclosure)


def share(
    *,
    actor: Actor,
    young_people: list[YoungPerson],
    categories: list[str],
    purpose: str,
    recipient: Organisation | None = None,
    recipient_name: str = "",
    override: Override | None = None,
    file_format: str = "csv",
    capability: str = "",
    envelope: dict[str, Any] | None = None,
) -> tuple[Disclosure, bytes]:
    """Release a package to a recipient: only under an active agreement covering every category (or
    a recorded override), only for people the actor may share (or every person, for a service-wide
    ``capability`` the actor holds, such as destination feedback), trimmed to restrictions and
    consent, recorded as a Disclosure with the file's hash. A JSON package can carry an ``envelope``
    around the people. Raises ShareRefused (after recording the attempt)."""
    wanted = set(categories)
    attempt = {
        "made_by": actor,
        "recipient": recipient,
        "recipient_name": recipient_name,
        "categories": sorted(wanted),
        "purpose": purpose,
        "people": young_people,
        "file_format": file_format,
    }
    if not wanted or not young_people:
        _refuse("Choose at least one category and one young person", **attempt)
    is_dpo = actor.has_perm(SharingPermission.HANDLE_SUBJECT_REQUESTS)
    service_wide = is_dpo or bool(capability and actor.has_perm(capability))
    for person in young_people:
        if not service_wide and not access.can(actor, person, YoungPersonPermission.SHARE):
            _refuse("You may not share this record", **attempt)
        if processing_restricted(person) and not is_dpo:
            _refuse(
                "Processing of this record is restricted: only the data protection officer can share it",
                **attempt,
            )
    agreement = None
    if override is not None:
        if not (override.condition and override.justification.strip()):
            _refuse("An override needs a Schedule 1 condition and a justification", **attempt)
        attempt |= {
            "override": override.kind,
            "override_condition": override.condition,
            "override_justification": override.justification,
        }
    elif recipient is None:
        _refuse("Choose the organisation to share with", **attempt)
    else:
        agreement, reason = agreement_for(recipient, wanted, timezone.localdate())
        if agreement is None:
            _refuse(reason, **attempt)
    trimmed: list[str] = []
    people = (
        YoungPerson.objects.filter(pk__in=[p.pk for p in young_people])
        .select_related("school", "ethnicity")
        .prefetch_related(
            "parents",
            "qualifications",
            "sensitive_notes",
            "contacts",
            "consents",
            "restrictions",
            Prefetch("activities", Activity.objects.select_related("code", "provider")),
        )
    )
    content = serialise(share_rows(people, wanted, trimmed), file_format, envelope)
    attempt.pop("people")
    disclosure = _disclose(
        people=[person.pk for person in young_people],
        content=content,
        outcome=Disclosure.Outcome.RELEASED,
        agreement=agreement,
        trimmed="\n".join(trimmed),
        **attempt,
    )
    return disclosure, content


# --- Subject requests ----------------------------------------------------------------------------


def subject_request_check(request: SubjectRequest) -> None:
    """The rules a subject request must meet to be saved (ValidationError by field): an extension of at
    most two months, with a reason, told to the requester within the first month."""
    if request.extension_months > rules.MAX_EXTENSION_MONTHS:
        raise ValidationError({"extension_months": "An extension can add at most two months (three in all)"})
    original_due = rules.subject_request_due(
        received_on=request.received_on,
        identity_verified_on=request.identity_verified_on,
        clarification_received_on=request.clarification_received_on,
    )
    if request.extension_months:
        if not request.extension_reason.strip():
            raise ValidationError({"extension_reason": "Give the reason for the extension"})
        if not request.extension_told_on or request.extension_told_on > original_due:
            raise ValidationError(
                {"extension_told_on": "The requester must be told of an extension within the first month"}
            )


@transaction.atomic
def subject_request_save(*, request: SubjectRequest, actor: Actor) -> SubjectRequest:
    """Validate and save a subject request, computing its statutory due date."""
    subject_request_check(request)
    request.due_on = rules.subject_request_due(
        received_on=request.received_on,
        identity_verified_on=request.identity_verified_on,
        clarification_received_on=request.clarification_received_on,
        extension_months=request.extension_months,
    )
    if (
        request.state in (SubjectRequest.State.COMPLETED, SubjectRequest.State.REFUSED)
        and not request.closed_on
    ):
        request.closed_on = timezone.localdate()
    return tracked_save(request, actor=actor, reason="Subject request recorded")


# --- Access bundles --------------------------------------------------------------------------------


@transaction.atomic
def access_bundle_request(*, subject_request: SubjectRequest, actor: Actor) -> AccessBundle:
    """Queue a bundle for an access or portability request with a matched young person."""
    if subject_request.kind not in (SubjectRequest.Kind.ACCESS, SubjectRequest.Kind.PORTABILITY):
        raise ValidationError("Bundles are for access and portability requests")
    if subject_request.young_person_id is None:
        raise ValidationError("Link the request to the young person's record first")
    bundle = AccessBundle.objects.create(request=subject_request)
    transaction.on_commit(lambda: tasks.build_access_bundle.delay(bundle.pk))
    return bundle


def access_bundle_build(*, bundle_id: int) -> AccessBundle:
    """Everything held about the person: the record, the rows of every model linked to it (the
    registry's, so new models are included), every history row about them, access events and
    disclosures. Third parties' names are listed for the DPO's redaction review. Idempotent."""
    bundle = AccessBundle.objects.select_related("request").get(pk=bundle_id)
    person_id = bundle.request.young_person_id or 0  # a bundle is only queued for a linked request
    bundle.state, bundle.progress = AccessBundle.State.BUILDING, 0
    bundle.save(update_fields=["state", "progress"])
    content: dict[str, Any] = {
        "subject_request": bundle.request.pk,
        "generated_at": timezone.now().isoformat(),
        "record": list(YoungPerson.objects.filter(pk=person_id).values()),
        "history of record": list(YoungPerson.history.filter(id=person_id).values()),
    }
    links = registry.personal_models()
    third_parties: set[str] = set()
    for step, link in enumerate(links, start=1):
        key = link.name(plural=True).lower()
        rows = list(link.model._default_manager.filter(**{link.person_field: person_id}).values())
        content[key] = rows
        if hasattr(link.model, "history") and not link.many:
            history = link.model.history.filter(**{link.person_column: person_id})
            content[f"history of {key}"] = list(history.values())
        third_parties |= third_party_names(rows)
        bundle.progress = int(100 * step / len(links))
        bundle.save(update_fields=["progress"])
    bundle.content_json = json.dumps(content, indent=2, default=str)
    bundle.third_party_names = sorted(third_parties)
    bundle.state, bundle.finished_at = AccessBundle.State.READY, timezone.now()
    bundle.save()
    return bundle


@transaction.atomic
def access_bundle_withhold(*, bundle: AccessBundle, names: list[str], actor: Actor) -> AccessBundle:
    """Choose which of the bundle's third parties' names are withheld on release (replacing the choice)."""
    if bundle.state != AccessBundle.State.READY:
        raise ValidationError("Only a bundle that is ready for review can be changed")
    unknown = set(names) - set(bundle.third_party_names)
    if unknown:
        raise ValidationError("Choose names from the bundle's list of third parties")
    bundle.withheld_names = sorted(set(names))
    bundle.save(update_fields=["withheld_names"])
    return bundle


BUNDLE_INTRODUCTION = [
    "This is everything {council} holds about you in its youth support service, as you asked under the "
    "UK GDPR (Article 15). It is grouped by topic; the contents list comes first.",
    "Where a record names another person, their name is withheld to protect their privacy.",
    "The file access-bundle.json holds the same information in a form a computer can read (Article 20).",
]


def access_bundle_release(*, bundle: AccessBundle, actor: Actor) -> tuple[Disclosure, bytes]:
    """Release a reviewed bundle to the requester: a zip of the readable PDF and the machine-readable
    JSON, the withheld names replaced in both, recorded as a disclosure with the zip's SHA-256 and what
    was withheld."""
    if bundle.state != AccessBundle.State.READY:
        raise ValidationError("Only a bundle that is ready for review can be released")
    subject_request = bundle.request
    if subject_request.young_person_id is None:
        raise ValidationError("Link the request to the young person's record first")
    content = json.loads(bundle.content_json)
    sections = bundles.document(content, (), bundle.withheld_names)
    introduction = [line.format(council=settings.COUNCIL_NAME) for line in BUNDLE_INTRODUCTION]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as files:
        files.writestr(
            "access-bundle.pdf",
            bundles.pdf(sections, title="The information we hold about you", introduction=introduction),
        )
        files.writestr(
            "access-bundle.json",
            json.dumps(bundles.withhold(content, bundle.withheld_names), indent=2, ensure_ascii=False),
        )
    released = archive.getvalue()
    withheld = ", ".join(bundle.withheld_names) or "none"
    with transaction.atomic():
        disclosure = _disclose(
            people=[subject_request.young_person_id],
            content=released,
            made_by=actor,
            recipient_name=subject_request.requester_name,
            categories=sorted(DataCategory.values),
            purpose=f"Subject request {subject_request.pk} ({subject_request.get_kind_display()})",
            outcome=Disclosure.Outcome.RELEASED,
            file_format="zip",
            trimmed=f"Third parties' names withheld: {withheld}",
        )
        bundle.state = AccessBundle.State.RELEASED
        bundle.save(update_fields=["state"])
    return disclosure, released


# --- Erasure -----------------------------------------------------------------------------------

_erasure_handler = None


def register_erasure_handler(handler: Callable[..., object]) -> None:
    """The retention app registers ``handler(young_person_id=..., actor=..., reason=...)`` here."""
    global _erasure_handler
    _erasure_handler = handler


def erasure_hand_over(*, subject_request: SubjectRequest, actor: Actor) -> str:
    """Hand an erasure request to the retention app's erase service (when installed)."""
    if subject_request.kind != SubjectRequest.Kind.ERASURE or subject_request.young_person_id is None:
        return f"Request {subject_request.pk} is not an erasure request linked to a record"
    if _erasure_handler is None:
        return "The retention app's erase service is not installed yet: erase the record when it is"
    _erasure_handler(
        young_person_id=subject_request.young_person_id,
        actor=actor,
        reason=f"Erasure request {subject_request.pk}",
    )
    return f"Record erased for request {subject_request.pk}"


# --- De-identified extracts ------------------------------------------------------------------------

SENSITIVE_COLUMNS = ("sen_status", "status", "activity_code", "participating", "vulnerable", "guarantee")


@dataclass(frozen=True)
class Extract:
    rows: list[dict[str, Any]]  # released: every group of quasi-identifiers at least k strong
    suppressed: int
    columns: tuple[str, ...]


def deidentified_rows(*, actor: Actor, generalisation: rules.Generalisation, k: int) -> Extract:
    """Research and planning rows for the people in ``actor``'s reach: no names, addresses,
    identifiers or exact dates; the quasi-identifiers generalised as chosen, and only rows whose
    quasi-identifiers at least ``k`` rows share. Records nothing: a preview of the counts."""
    if k < 2:
        raise ValidationError({"k": "k must be at least 2"})
    statuses = access.scope(actor, CurrentStatus.objects.select_related("young_person")).order_by("pk")
    rows = [
        generalisation.values(
            date_of_birth=s.young_person.date_of_birth,
            academic_age=s.academic_age,
            postcode=s.young_person.postcode,
            ethnicity=s.ethnicity,
            gender=s.gender,
        )
        | {column: getattr(s, column) for column in SENSITIVE_COLUMNS}
        for s in statuses.iterator(chunk_size=2000)
    ]
    kept, suppressed = rules.k_anonymous(rows, generalisation.columns, k)
    return Extract(kept, suppressed, (*generalisation.columns, *SENSITIVE_COLUMNS))


def deidentified_extract(
    *, actor: Actor, purpose: str, k: int, generalisation: rules.Generalisation
) -> tuple[bytes, Extract, Disclosure]:
    """The extract as a zip of its CSV (with a header row, even when every row is suppressed) and a
    note of how it was generalised and what was suppressed; recorded as a disclosure naming no one."""
    extract = deidentified_rows(actor=actor, generalisation=generalisation, k=k)
    note = "\n".join(
        [
            f"De-identified extract for: {purpose}",
            f"Made {timezone.localdate():%d %B %Y}.",
            *generalisation.describe(),
            f"Rows released: {len(extract.rows)}. Rows suppressed: {extract.suppressed}, because fewer "
            f"than {k} rows shared their quasi-identifiers ({', '.join(generalisation.columns) or 'none'}).",
        ]
    )
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as files:
        files.writestr("extract.csv", serialise(extract.rows, "csv", columns=extract.columns))
        files.writestr("about-this-extract.txt", note + "\n")
    content = archive.getvalue()
    disclosure = _disclose(
        people=[],  # it names no one
        content=content,
        made_by=actor,
        recipient_name="De-identified extract",
        categories=["characteristics", "activity"],
        purpose=purpose,
        outcome=Disclosure.Outcome.RELEASED,
        file_format="zip",
        trimmed=note,
    )
    return content, extract, disclosure


# --- The monthly NCCIS return ------------------------------------------------------------------------

NCCIS_CATEGORIES = ["identity", "contact", "characteristics", "activity"]
NCCIS_DUTY = (
    "Statutory return: Education (Information About Individual Pupils) (England) Regulations 2013; "
    "Education and Skills Act 2008"
)


def nccis_return_release(
    *, actor: Actor, month_end: date, dfe: Organisation
) -> tuple[bytes, list[Any], Disclosure]:
    """Build the month's return and record it as a disclosure to the DfE (a statutory return: the
    Education (Information About Individual Pupils) Regulations 2013, Article 6(1)(c)). Restricted
    records go in all the same, and the disclosure says which (ADR 0010)."""
    out = io.StringIO()
    summary = nccis.write_return(month_end, out)
    content = out.getvalue().encode()
    disclosure = _disclose(
        people=summary.young_person_ids,
        content=content,
        made_by=actor,
        recipient=dfe,
        categories=NCCIS_CATEGORIES,
        outcome=Disclosure.Outcome.RELEASED,
        purpose=f"NCCIS monthly return for {month_end:%B %Y}",
        override=Disclosure.Override.LEGAL_DUTY,
        override_condition="sch1-para6",
        file_format="xml",
        override_justification=NCCIS_DUTY,
        carried_despite_restriction=_carried(kinds_in_force(summary.young_person_ids)),
    )
    return content, summary.problems, disclosure


def _carried(restricted: dict[int, set[str]]) -> str:
    """What the disclosure says of the restricted records a statutory return carried."""
    if not restricted:
        return ""
    lines = [f"Record {pk}: {', '.join(sorted(kinds))} in force" for pk, kinds in sorted(restricted.items())]
    return "\n".join([*lines, f"Carried all the same, as the law requires ({NCCIS_DUTY}): ADR 0010"])


# --- Destination feedback and council transfers ------------------------------------------------------

FEEDBACK_CATEGORIES = ["identity", "activity"]
TRANSFER_FORMAT = "youthservice-transfer/1"  # read back by exchange.formats (council leavers)
TRANSFER_CATEGORIES = ["identity", "contact", "education", "characteristics", "activity"]


def destination_feedback(*, actor: Actor, school: Organisation) -> tuple[Disclosure, bytes]:
    """One school's file: its former pupils and what each is doing now, through the one exit (it needs
    an agreement with the school covering identity and activity)."""
    return share(
        actor=actor,
        young_people=list(former_pupils(school)),
        categories=FEEDBACK_CATEGORIES,
        purpose=f"Destination feedback to {school.name}",
        recipient=school,
        capability=SharingPermission.SEND_DESTINATION_FEEDBACK,
    )


def transfer_out(
    *, actor: Actor, young_person: YoungPerson, council: Organisation, override: Override | None = None
) -> tuple[Disclosure, bytes]:
    """The young person has moved to ``council``: send their record as a package (a disclosure) and
    mark them as transferred (cohort status T). The receiving council imports the package as leavers."""
    if CohortExit.objects.filter(young_person=young_person).exists():
        raise ValidationError("This young person has already left the cohort")
    if not council.la_code:
        raise ValidationError(
            f"{council.name} has no LA code on file: the DfE return must say where they went"
        )
    disclosure, content = share(
        actor=actor,
        young_people=[young_person],
        categories=TRANSFER_CATEGORIES,
        purpose=f"Transfer to {council.name}: the young person has moved there",
        recipient=council,
        override=override,
        file_format="json",
        envelope={"format": TRANSFER_FORMAT, "from_la": settings.COUNCIL_LA_CODE},
    )
    tracked_save(
        CohortExit(
            young_person=young_person,
            reason=CohortExit.Reason.TRANSFERRED,
            left_on=timezone.localdate(),
            transferred_to=council,
        ),
        actor=actor,
        reason=f"Transferred to {council.name} (disclosure {disclosure.pk})",
    )
    return disclosure, content
