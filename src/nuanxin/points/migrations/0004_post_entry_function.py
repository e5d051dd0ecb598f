"""``points_post_entry``: one posting (transfer, top-up, allocation, adjustment) in one statement.

PostgreSQL only; ``services/_pg.py`` calls it, and every other engine runs the same steps as
separate statements in Python. The function locks both accounts in ascending id order, then looks
up the transfer id (a new statement, so it sees what a request it waited for committed), checks
the debit's available balance, records the transfer id, inserts the entry and moves both
balances. It never raises for an outcome the caller expects: it answers with a status and a
value the Python side turns into the entry or the service's ``ApplicationError``:

    posted          value = the new entry's id
    replayed        value = the entry first posted under this id (same kind and fingerprint)
    reused          the id was used for other content
    insufficient    value = the debit's available balance
    unknown_account one of the accounts does not exist

Nothing is written unless the status is ``posted``. Two requests with the same id that lock
different accounts both miss the id; the transfer id is inserted ``ON CONFLICT DO NOTHING``
before anything else is written, so the later one waits for the earlier one's commit, inserts
nothing and answers from the key the earlier one recorded.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION points_post_entry(
    p_transfer_id text, p_kind text, p_digest text, p_debit bigint, p_credit bigint,
    p_amount bigint, p_reason text, p_reference text, p_actor bigint, p_note text,
    p_at timestamptz, OUT status text, OUT value bigint
) LANGUAGE plpgsql AS $$
DECLARE
    n_locked integer;
    debit_available bigint;
    debit_may_go_negative boolean;
    found_kind text;
    found_digest text;
BEGIN
    SELECT count(*),
           max(locked.posted - locked.held) FILTER (WHERE locked.id = p_debit),
           bool_or(locked.may_go_negative) FILTER (WHERE locked.id = p_debit)
      INTO n_locked, debit_available, debit_may_go_negative
      FROM (SELECT id, posted, held, may_go_negative FROM points_account
             WHERE id IN (p_debit, p_credit) ORDER BY id FOR UPDATE) AS locked;
    IF n_locked <> 2 THEN
        status := 'unknown_account';
        RETURN;
    END IF;

    SELECT kind, fingerprint INTO found_kind, found_digest
      FROM points_transferkey WHERE transfer_id = p_transfer_id;
    IF NOT FOUND THEN
        IF NOT debit_may_go_negative AND debit_available < p_amount THEN
            status := 'insufficient';
            value := debit_available;
            RETURN;
        END IF;
        INSERT INTO points_transferkey
               (transfer_id, kind, fingerprint, granted, limited_by, created_at)
        VALUES (p_transfer_id, p_kind, p_digest, NULL, '', p_at)
        ON CONFLICT (transfer_id) DO NOTHING;
        IF NOT FOUND THEN
            -- A request with this id that locked other accounts committed while this one
            -- waited on the key's unique index.
            SELECT kind, fingerprint INTO found_kind, found_digest
              FROM points_transferkey WHERE transfer_id = p_transfer_id;
        END IF;
    END IF;
    IF found_kind IS NOT NULL THEN
        IF found_kind <> p_kind OR found_digest <> p_digest THEN
            status := 'reused';
        ELSE
            status := 'replayed';
            SELECT id INTO value FROM points_entry WHERE transfer_id = p_transfer_id;
        END IF;
        RETURN;
    END IF;

    INSERT INTO points_entry (transfer_id, kind, debit_id, credit_id, amount, reason,
                              reference, actor_id, note, created_at, hold_id, reverses_id)
    VALUES (p_transfer_id, p_kind, p_debit, p_credit, p_amount, p_reason,
            p_reference, p_actor, p_note, p_at, NULL, NULL)
    RETURNING id INTO value;
    UPDATE points_account
       SET posted = posted + CASE WHEN id = p_debit THEN -p_amount ELSE p_amount END
     WHERE id IN (p_debit, p_credit);
    status := 'posted';
END $$
"""
DROP = (
    "DROP FUNCTION IF EXISTS points_post_entry("
    "text, text, text, bigint, bigint, bigint, text, text, bigint, text, timestamptz)"
)


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("points", "0003_report_points_live_on_categories")]

    operations = [migrations.RunPython(install, uninstall)]
