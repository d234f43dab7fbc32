"""A large synthetic council for benchmarks and load tests (advisers cannot sign in: no passwords).
Run again with a larger ``--young-people`` to grow it: the people it lacks are added to the same teams."""

import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection

from cases.models import YoungPerson
from demo.shape import Shape
from demo.synthetic import Generator

User = get_user_model()


class Command(BaseCommand):
    help = (
        "Generate a synthetic council (young people with contacts, activities and offers), or grow one "
        "to --young-people"
    )

    def add_arguments(self, parser):
        parser.add_argument("--young-people", type=int, default=150_000, help="the council's size")
        parser.add_argument("--teams", type=int, default=30, help="for a new council")
        parser.add_argument("--advisers-per-team", type=int, default=10, help="for a new council")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="processes sharing the batches (PostgreSQL; 2 on two cores)",
        )

    def handle(self, *args, young_people, teams, advisers_per_team, seed, workers, **options):
        loader, _ = User.objects.get_or_create(username="synthetic-loader", defaults={"is_active": False})
        started = time.perf_counter()
        generator = Generator(Shape(young_people, teams, advisers_per_team), seed=seed, actor=loader)
        counts = generator.generate(workers=workers)
        if connection.vendor == "postgresql":  # fresh statistics, and pages marked all-visible as
            with connection.cursor() as cursor:  # autovacuum leaves them (VACUUM: not in a transaction)
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        elapsed = time.perf_counter() - started
        for model, count in sorted(counts.items()):
            self.stdout.write(f"  {model:<22} {count:>10,}")
        self.stdout.write(
            f"Added {counts['YoungPerson']:,} young people in {elapsed:.1f} s: "
            f"{YoungPerson.objects.count():,} in the council"
        )
