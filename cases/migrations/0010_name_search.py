"""Name search that tolerates typos and spellings (cases/namesearch.py): pg_trgm and fuzzystrmatch, a
trigram (GIN) index and a Soundex index on each searched name. PostgreSQL only; nothing on SQLite.
Both extensions are trusted (PostgreSQL 13+), so a database owner may install them without being a
superuser. Going back drops the indexes and leaves the extensions, which other users may rely on."""

from django.db import migrations

NAMES = ("legal_family_name", "legal_given_name", "preferred_name")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS fuzzystrmatch")
    for name in NAMES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS cases_yp_{name}_trgm ON cases_youngperson USING gin ({name} gin_trgm_ops)"
        )
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS cases_yp_{name}_soundex ON cases_youngperson (soundex({name}))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in NAMES:
        schema_editor.execute(f"DROP INDEX IF EXISTS cases_yp_{name}_trgm")
        schema_editor.execute(f"DROP INDEX IF EXISTS cases_yp_{name}_soundex")


class Migration(migrations.Migration):
    dependencies = [("cases", "0009_contact_intervals")]

    operations = [migrations.RunPython(create, drop, hints={"schema_only": True})]
