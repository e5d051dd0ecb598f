"""Database triggers that keep the ledger append-only whatever code touches the tables.

Entries can never be updated (nor deleted, on PostgreSQL); a hold can leave ``pending`` once and
never changes its amount or accounts. SQLite gets no delete trigger on entries because Django's
test flush empties tables with DELETE (PostgreSQL's uses TRUNCATE, which row triggers ignore).
"""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER points_entry_no_update BEFORE UPDATE ON points_entry
       BEGIN SELECT RAISE(ABORT, 'points entries are append-only'); END""",
    """CREATE TRIGGER points_hold_resolve_once BEFORE UPDATE ON points_hold
       WHEN OLD.status <> 'pending' OR NEW.amount <> OLD.amount
         OR NEW.debit_id <> OLD.debit_id OR NEW.credit_id <> OLD.credit_id
       BEGIN SELECT RAISE(ABORT, 'a resolved hold cannot change'); END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS points_entry_no_update",
    "DROP TRIGGER IF EXISTS points_hold_resolve_once",
]

POSTGRES = [
    """CREATE FUNCTION points_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         RAISE EXCEPTION 'points entries are append-only' USING ERRCODE = '23000';
       END $$""",
    """CREATE TRIGGER points_entry_append_only BEFORE UPDATE OR DELETE ON points_entry
       FOR EACH ROW EXECUTE FUNCTION points_entry_append_only()""",
    """CREATE FUNCTION points_hold_resolve_once() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'DELETE' OR OLD.status <> 'pending' OR NEW.amount <> OLD.amount
            OR NEW.debit_id <> OLD.debit_id OR NEW.credit_id <> OLD.credit_id THEN
           RAISE EXCEPTION 'a resolved hold cannot change' USING ERRCODE = '23000';
         END IF;
         RETURN NEW;
       END $$""",
    """CREATE TRIGGER points_hold_resolve_once BEFORE UPDATE OR DELETE ON points_hold
       FOR EACH ROW EXECUTE FUNCTION points_hold_resolve_once()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS points_entry_append_only ON points_entry",
    "DROP FUNCTION IF EXISTS points_entry_append_only()",
    "DROP TRIGGER IF EXISTS points_hold_resolve_once ON points_hold",
    "DROP FUNCTION IF EXISTS points_hold_resolve_once()",
]


def _run(schema_editor, statements_by_vendor):
    for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def install(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE, "postgresql": POSTGRES})


def uninstall(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP})


class Migration(migrations.Migration):
    dependencies = [("points", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall)]
