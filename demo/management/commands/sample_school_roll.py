"""A synthetic school roll to try the import with: rows for pupils already on file (some with a new
address) and some newcomers, all made up."""

from pathlib import Path

from django.core.management.base import BaseCommand

from demo import rolls


class Command(BaseCommand):
    help = "Write a synthetic school roll CSV for the import page (nine in ten pupils already on file)."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=200)
        parser.add_argument("--out", type=Path, required=True)

    def handle(self, *args, rows, out, **options):
        out.write_bytes(rolls.school_roll(rows))
        self.stdout.write(f"Wrote {rows:,} rows to {out}")
