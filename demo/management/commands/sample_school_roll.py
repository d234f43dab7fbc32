"""A synthetic school roll to try the import with: rows for pupils already on file (some with a new
address, one in twenty with another pupil's UPN, for the review queue) and some newcomers, all made up."""

from pathlib import Path

from django.core.management.base import BaseCommand

from demo import rolls


class Command(BaseCommand):
    help = "Write a synthetic school roll CSV for the import page (nine in ten pupils already on file)."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=200)
        parser.add_argument(
            "--near-misses",
            type=int,
            help="rows with another pupil's UPN, for the review queue (default: one in twenty)",
        )
        parser.add_argument("--out", type=Path, required=True)

    def handle(self, *args, rows, near_misses, out, **options):
        near_misses = rows // 20 if near_misses is None else near_misses
        out.write_bytes(rolls.school_roll(rows, near_misses))
        self.stdout.write(f"Wrote {rows:,} rows to {out}, {near_misses} of them for the review queue")
