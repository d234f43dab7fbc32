"""The hooks by which an app adds behaviour to an app below it are exactly those listed in
docs/adr/0003-extension-points.md: nothing registered that the page does not name, nothing named that
is not registered."""

import re
import weakref
from pathlib import Path

from django.apps import apps
from django.contrib.auth import signals as auth_signals
from django.db.models import signals as model_signals
from django.dispatch import Signal

from cases import extensions, worklists
from sharing import services as sharing_services

ADR = Path(__file__).resolve().parent.parent / "docs" / "adr" / "0003-extension-points.md"
OUR_APPS = {"core", "cases", "tracking", "sharing", "exchange", "retention", "demo", "youthservice"}


def _documented() -> set[tuple[str, str]]:
    return set(re.findall(r"^- ([a-z ]+): `([^`]+)`$", ADR.read_text(), flags=re.MULTILINE))


def _name(function) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def _receivers() -> set[tuple[str, str]]:
    models_by_id = {id(model): model._meta.label for model in apps.get_models()}
    found = set()
    for module in (model_signals, auth_signals):
        for signal_name, signal in vars(module).items():
            if not isinstance(signal, Signal):
                continue
            for (_, sender_id), reference, _is_async in signal.receivers:
                receiver = reference() if isinstance(reference, weakref.ReferenceType) else reference
                if receiver is None or getattr(receiver, "__module__", "").split(".")[0] not in OUR_APPS:
                    continue
                sender = models_by_id.get(sender_id, "any")
                found.add(("receiver", f"{signal_name} {sender} {_name(receiver)}"))
    return found


def _registered() -> set[tuple[str, str]]:
    return (
        {("notice", _name(provider)) for provider in extensions._notice_providers}
        | {("panel", _name(provider)) for provider in extensions._panel_providers}
        | {("facts", _name(provider)) for provider in extensions._fact_providers}
        | {("column", _name(column.cell)) for column in extensions.columns()}
        | {
            ("work list", f"tracking.worklists.{work_list.key}")
            for work_list in worklists.all_work_lists()
            if work_list not in worklists.BUILT_IN
        }
        | {("erasure", _name(sharing_services._erasure_handler))}
        | _receivers()
    )


def test_the_adr_lists_every_extension_point_and_receiver_and_no_other():
    documented, registered = _documented(), _registered()
    assert len(documented) == 43
    assert registered - documented == set(), "registered but not in the ADR"
    assert documented - registered == set(), "in the ADR but not registered"
