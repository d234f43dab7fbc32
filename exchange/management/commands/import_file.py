"""Import a file from the command line (a council's drop folder, a scheduled job) through the same
checks, matching, review queue and history as the import page, and print the batch's outcome."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from cases.models import Organisation, Team
from exchange import services
from exchange.models import ExchangePermission, ImportBatch


class Command(BaseCommand):
    help = (
        "Import a school roll, enrolments or council leavers file as a service manager would on the "
        "Imports page; exits 1 when the file is rejected (each bad line and its reason are printed)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", required=True, choices=ImportBatch.Format.values, dest="file_format")
        parser.add_argument("--team", required=True, help="team name or id: where people new to us go")
        parser.add_argument("--as", required=True, dest="username", help="the service manager importing it")
        parser.add_argument(
            "--source", required=True, help="who sent it: the organisation's URN, UKPRN or id on file"
        )

    def handle(self, *args, file, file_format, team, username, source, **options):
        actor = get_user_model().objects.filter(username=username, is_active=True).first()
        if actor is None or not actor.has_perm(ExchangePermission.IMPORT):
            raise CommandError(f"{username} is not an active account that may import files")
        try:
            batch = services.import_upload(
                actor=actor,
                file_format=file_format,
                source_organisation=_one(Organisation, source, "urn", "ukprn", "establishment_number"),
                team=_one(Team, team, "name"),
                file_name=file.name,
                content=file.read_bytes(),
                queue=False,
            )
        except services.AlreadyImported as already:
            self.stdout.write(f"Already imported as batch {already.batch.pk}: nothing changed")
            return
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        batch = services.import_run(batch_id=batch.pk)
        self.stdout.write(
            f"Batch {batch.pk}: {batch.get_state_display()}. {batch.rows} rows: {batch.created} created, "
            f"{batch.updated} updated, {batch.unchanged} unchanged, {batch.to_review} to review"
        )
        for line, reason in batch.errors:
            self.stdout.write(f"  line {line}: {reason}")
        if batch.state == ImportBatch.State.REJECTED:
            raise CommandError(f"Batch {batch.pk} was rejected: nothing was imported")


def _one(model, value: str, *fields: str):
    """The one row whose id or one of ``fields`` is ``value``."""
    match = Q(**{f"{fields[0]}": value})
    for name in fields[1:]:
        match |= Q(**{name: value})
    if value.isdigit():
        match |= Q(pk=int(value))
    found = list(model.objects.filter(match)[:2])
    if len(found) != 1:
        raise CommandError(f"No single {model._meta.verbose_name} on file is {value!r}")
    return found[0]
