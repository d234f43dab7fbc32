from pathlib import Path

from django.core.management.base import BaseCommand

from tracking import nccis
from tracking.management.commands.take_snapshot import month_end


class Command(BaseCommand):
    help = "Write the NCCIS return for a month end as XML and list its validation problems (record ids only)."

    def add_arguments(self, parser):
        parser.add_argument("--month", type=month_end, required=True, help="YYYY-MM")
        parser.add_argument("--out", type=Path, required=True, help="where to write the XML")

    def handle(self, *args, month, out, **options):
        with out.open("w", encoding="utf-8") as stream:
            problems = nccis.write_return(month, stream).problems
        self.stdout.write(f"Wrote the return for {month:%B %Y} to {out}: {len(problems)} problems")
        for problem in problems:
            self.stdout.write(f"  record {problem.young_person_id}: {problem.message}")
