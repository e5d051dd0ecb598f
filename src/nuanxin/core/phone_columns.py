"""Migration steps for columns that become ``PhoneField``: fill the keyed hash (and last four
digits) of every row already stored, and, going back, turn sealed values into clear.

Rows are not sealed here: with PII_SEAL_PHONES on, ``nuanxin rotate-keys`` seals them (and with
it off turns sealed ones back), so the schema is the same whichever the setting. The batches
are plain SQL on the table names given, so they do not depend on the model's later shape.
"""

from collections.abc import Callable, Mapping
from typing import Any

BATCH = 500

# table -> (purpose of its phone, the phone's column, its hash column, its tail column or "")
PhoneColumns = Mapping[str, tuple[str, str, str, str]]


def fill_companions(columns: PhoneColumns) -> Callable[[Any, Any], None]:
    """A ``RunPython`` step that fills the hash and tail columns of every row of ``columns``."""

    def run(apps: Any, schema_editor: Any) -> None:
        from nuanxin.core.crypto import blind_index, unseal

        with schema_editor.connection.cursor() as cursor:
            for table, (purpose, column, hash_column, tail_column) in columns.items():
                sets = f"{hash_column} = %s" + (f", {tail_column} = %s" if tail_column else "")
                last = 0
                while True:
                    cursor.execute(
                        f"SELECT id, {column} FROM {table} WHERE id > %s ORDER BY id LIMIT %s",  # noqa: S608
                        [last, BATCH],
                    )
                    rows = cursor.fetchall()
                    if not rows:
                        break
                    updates = []
                    for pk, value in rows:
                        phone = unseal(value, purpose=purpose) if value else ""
                        digest = blind_index(phone, purpose=purpose)
                        updates.append((digest, phone[-4:], pk) if tail_column else (digest, pk))
                    cursor.executemany(f"UPDATE {table} SET {sets} WHERE id = %s", updates)  # noqa: S608
                    last = rows[-1][0]

    return run


def open_sealed(columns: PhoneColumns) -> Callable[[Any, Any], None]:
    """The reverse step: sealed phones turned back into clear, for the narrower old columns."""

    def run(apps: Any, schema_editor: Any) -> None:
        from nuanxin.core.crypto import is_sealed, unseal

        with schema_editor.connection.cursor() as cursor:
            for table, (purpose, column, _hash, _tail) in columns.items():
                cursor.execute(f"SELECT id, {column} FROM {table}")  # noqa: S608
                rows = [
                    (unseal(v, purpose=purpose), pk)
                    for pk, v in cursor.fetchall()
                    if v and is_sealed(v)
                ]
                cursor.executemany(f"UPDATE {table} SET {column} = %s WHERE id = %s", rows)  # noqa: S608

    return run
