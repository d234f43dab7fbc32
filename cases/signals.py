"""CaseloadFacts follows every contact and action saved or deleted, inside the writer's transaction
(as tracking's status cache does), and the work-list entries follow the facts and the record's own
team, adviser and level of support. Bulk writers call ``services.caseload_facts_refresh`` themselves.
A grant, a team's managers or a record's team or lead adviser changed forget the reach a request has
read (``access.reach_read_once``).
A record being deleted takes its facts and entries with it: the deletes of its contacts and actions
on the way refresh nothing (Django sends every pre_delete of a cascade before the first delete)."""

from contextvars import ContextVar

from django.contrib.auth.models import User
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from cases.models import Action, Contact, YoungPerson, YoungPersonUserObjectPermission

WORK_LIST_INPUTS = ("team_id", "lead_adviser_id", "support_level", "created_at")  # the record's own
_going: ContextVar[frozenset[int]] = ContextVar("young_people_being_deleted", default=frozenset())


def _saved(sender, instance, raw=False, **kwargs):
    from cases.services import caseload_facts_refresh

    if not raw:
        caseload_facts_refresh([instance.young_person_id])


def _deleted(sender, instance, **kwargs):
    from cases.services import caseload_facts_refresh

    if instance.young_person_id not in _going.get():
        caseload_facts_refresh([instance.young_person_id])


def _person_saved(sender, instance, raw=False, **kwargs):
    from cases.access import reach_forget
    from cases.services import work_lists_refresh

    if not raw and instance.changed_since_read(WORK_LIST_INPUTS):
        work_lists_refresh([instance.pk])
    if not raw and instance.changed_since_read(("team_id", "lead_adviser_id")):
        reach_forget()  # a manager's records led outside their teams are read by id


def _person_deleting(sender, instance, **kwargs):
    _going.set(_going.get() | {instance.pk})


def _person_deleted(sender, instance, **kwargs):
    _going.set(_going.get() - {instance.pk})


def _reach_changed(sender, **kwargs):
    from cases.access import reach_forget

    reach_forget()


def connect() -> None:
    for signal in (post_save, post_delete):
        signal.connect(
            _reach_changed, sender=YoungPersonUserObjectPermission, dispatch_uid=f"cases-reach-{signal}"
        )
    m2m_changed.connect(_reach_changed, sender=User.groups.through, dispatch_uid="cases-reach-groups")
    post_save.connect(_person_saved, sender=YoungPerson, dispatch_uid="cases-work-lists-person")
    pre_delete.connect(_person_deleting, sender=YoungPerson, dispatch_uid="cases-person-deleting")
    post_delete.connect(_person_deleted, sender=YoungPerson, dispatch_uid="cases-person-deleted")
    for model in (Contact, Action):
        post_save.connect(_saved, sender=model, dispatch_uid=f"cases-facts-{model.__name__}")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"cases-facts-del-{model.__name__}")
