from pathlib import Path

from django.core.management.base import BaseCommand

from tracking import nccis


class Command(BaseCommand):
    help = "Write the annual Activity Survey CSV: the summer's Year 11 leavers on 1 November of YEAR."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--out", type=Path, required=True)

    def handle(self, *args, year, out, **options):
        with out.open("w", encoding="utf-8", newline="") as stream:
            rows = nccis.write_activity_survey(year, stream)
        self.stdout.write(f"Wrote {rows} Year 11 leavers' situations on 1 November {year} to {out}")
