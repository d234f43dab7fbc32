from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError

from tracking import services


def month_end(text: str) -> date:
    try:
        first = date.fromisoformat(f"{text}-01")
    except ValueError:
        raise CommandError(f"Give the month as YYYY-MM, not {text!r}") from None
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


class Command(BaseCommand):
    help = "Store the month-end aggregate snapshot for a month (any past month; re-running replaces it)."

    def add_arguments(self, parser):
        parser.add_argument("--month", type=month_end, required=True, help="YYYY-MM")

    def handle(self, *args, month, **options):
        rows = services.snapshot_take(month_end=month)
        self.stdout.write(f"Snapshot for {month:%B %Y}: {rows} rows")
