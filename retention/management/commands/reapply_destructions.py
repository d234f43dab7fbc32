from django.core.management.base import BaseCommand, CommandError

from retention import ledger, services


class Command(BaseCommand):
    help = (
        "After restoring a backup: destroy again everyone the destruction ledger (outside the database) "
        "and the database's destruction records name. --check only verifies the ledger's chain."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="verify the ledger and change nothing")

    def handle(self, *args, **options):
        try:
            if options["check"]:
                verified = ledger.verify()
                self.stdout.write(
                    f"Destruction ledger {ledger.path()}: {len(verified.entries)} entries, chain intact; "
                    f"last hash {verified.last_mac}"
                )
                return
            again = services.reapply_destructions()
        except ledger.LedgerError as error:
            raise CommandError(f"{error}. Nothing was destroyed: find out who altered the ledger.") from error
        self.stdout.write(f"Re-destroyed {again} subjects")
