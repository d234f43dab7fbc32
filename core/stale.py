"""An edit made from an older version of a record: the form field that carries the version, and the
error a service raises when the record has changed since (``cases.versions``). Pages show what changed
and keep what the person typed; the API answers 412. Nothing is saved either way."""

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict

STALE = (
    "Someone else changed this record after you opened this page, so nothing you entered has been saved. "
    "Check their changes below: save again to put in your version, or go back to keep theirs."
)


class StaleEditError(ValidationError):
    """``changes``: what changed since the edit's version (``cases.changes.Change``), oldest first;
    ``version``: the record's version now, which a deliberate second save carries."""

    def __init__(self, *, changes: Sequence[Any], version: int):
        super().__init__(STALE, code="stale")
        self.changes = list(changes)
        self.version = version


class VersionedForm(forms.Form):
    """A form over a tracked record carries the record's version it was opened at (hidden)."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=0,
        error_messages={"required": "This page is out of date: open it again from the record"},
    )

    def carry_version(self, version: int) -> None:
        """After a refused save: the person has now seen the record at ``version``."""
        data = cast(QueryDict, self.data).copy()  # the POST it was bound to, now mutable
        data[self.add_prefix("version")] = str(version)
        self.data = data
