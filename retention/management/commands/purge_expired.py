from django.core.management.base import BaseCommand

from retention import services


class Command(BaseCommand):
    help = "Destroy everyone past their retention date without a legal hold (the nightly job does this)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be destroyed; change nothing"
        )

    def handle(self, *args, dry_run, **options):
        report = services.purge_expired(dry_run=dry_run)
        if report.skipped:
            self.stdout.write(f"Skipped: {report.skipped}")
            return
        verb = "Would destroy" if dry_run else "Destroyed"
        self.stdout.write(
            f"Due: {report.due}, held: {report.held}. {verb} {report.destroyed or report.due - report.held}"
            " subjects:"
        )
        for label, count in sorted(report.rows.items()):
            self.stdout.write(f"  {label:<45} {count:>8}")
