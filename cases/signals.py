"""CaseloadFacts follows every contact and action saved or deleted, inside the writer's transaction
(as tracking's status cache does). Bulk writers call ``services.caseload_facts_refresh`` themselves."""

from django.db.models.signals import post_delete, post_save

from cases.models import Action, Contact


def _saved(sender, instance, raw=False, **kwargs):
    from cases.services import caseload_facts_refresh

    if not raw:
        caseload_facts_refresh([instance.young_person_id])


def _deleted(sender, instance, **kwargs):
    from cases.services import caseload_facts_refresh

    caseload_facts_refresh([instance.young_person_id], create=False)


def connect() -> None:
    for model in (Contact, Action):
        post_save.connect(_saved, sender=model, dispatch_uid=f"cases-facts-{model.__name__}")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"cases-facts-del-{model.__name__}")
