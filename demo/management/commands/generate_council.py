"""A large synthetic council for benchmarks and load tests (advisers cannot sign in: no passwords)."""

import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from cases.models import YoungPerson
from demo.shape import Shape
from demo.synthetic import Generator

User = get_user_model()


class Command(BaseCommand):
    help = "Generate a synthetic council: young people with contacts, activities, offers and grants."

    def add_arguments(self, parser):
        parser.add_argument("--young-people", type=int, default=150_000)
        parser.add_argument("--teams", type=int, default=30)
        parser.add_argument("--advisers-per-team", type=int, default=10)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, young_people, teams, advisers_per_team, seed, **options):
        if YoungPerson.objects.exists():
            raise CommandError("The database already holds young people: generate into an empty database.")
        loader, _ = User.objects.get_or_create(username="synthetic-loader", defaults={"is_active": False})
        started = time.perf_counter()
        counts = Generator(Shape(young_people, teams, advisers_per_team), seed=seed, actor=loader).generate()
        if connection.vendor == "postgresql":  # fresh statistics: without them the planner guesses
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        elapsed = time.perf_counter() - started
        for model, count in sorted(counts.items()):
            self.stdout.write(f"  {model:<22} {count:>10,}")
        self.stdout.write(f"Generated {young_people:,} young people in {elapsed:.1f} s")
