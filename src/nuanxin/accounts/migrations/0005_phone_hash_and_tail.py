"""Phones ready to be sealed at rest (PII_SEAL_PHONES): a column wide enough for a sealed value,
the keyed hash they are found by and (accounts) the last four digits, filled for every row.

The rows are not sealed here: with the setting on, ``nuanxin rotate-keys`` seals them (and with
it off turns sealed ones back), so the schema is the same whichever the setting.
"""

import nuanxin.accounts.models
import nuanxin.core.fields
from django.db import migrations, models

BATCH = 500
COLUMNS = {
    # table: (purpose of the hash, whether it keeps a tail column)
    "accounts_user": ("accounts.user.phone", True),
    "accounts_smscode": ("accounts.smscode.phone", False),
}


def fill_hashes(apps, schema_editor):
    from nuanxin.core.crypto import blind_index, unseal

    with schema_editor.connection.cursor() as cursor:
        for table, (purpose, tail) in COLUMNS.items():
            sets = "phone_hash = %s" + (", phone_tail = %s" if tail else "")
            last = 0
            while True:
                # Raw reads: a migration's model would open the values the same way, but the
                # batches are plain SQL either way.
                cursor.execute(
                    f"SELECT id, phone FROM {table} WHERE id > %s ORDER BY id LIMIT %s",  # noqa: S608
                    [last, BATCH],
                )
                rows = cursor.fetchall()
                if not rows:
                    break
                updates = []
                for pk, value in rows:
                    phone = unseal(value, purpose=purpose) if value else ""
                    digest = blind_index(phone, purpose=purpose)
                    updates.append((digest, phone[-4:], pk) if tail else (digest, pk))
                cursor.executemany(f"UPDATE {table} SET {sets} WHERE id = %s", updates)  # noqa: S608
                last = rows[-1][0]


def open_phones(apps, schema_editor):
    """Going back to 11-character columns: sealed phones are turned back into clear."""
    from nuanxin.core.crypto import is_sealed, unseal

    with schema_editor.connection.cursor() as cursor:
        for table, (purpose, _tail) in COLUMNS.items():
            cursor.execute(f"SELECT id, phone FROM {table}")  # noqa: S608
            rows = [
                (unseal(v, purpose=purpose), pk) for pk, v in cursor.fetchall() if v and is_sealed(v)
            ]
            cursor.executemany(f"UPDATE {table} SET phone = %s WHERE id = %s", rows)  # noqa: S608


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_location_consent"),
    ]

    operations = [
        migrations.AddField(
            model_name="smscode",
            name="phone_hash",
            field=models.CharField(blank=True, editable=False, max_length=64, null=True),
        ),
        migrations.AddField(
            model_name="user",
            name="phone_hash",
            field=models.CharField(
                blank=True,
                editable=False,
                max_length=64,
                null=True,
                unique=True,
                verbose_name="手机号检索值",
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="phone_tail",
            field=models.CharField(
                blank=True, db_index=True, editable=False, max_length=4, verbose_name="手机尾号"
            ),
        ),
        migrations.AlterField(
            model_name="smscode",
            name="phone",
            field=nuanxin.core.fields.PhoneField(
                db_index=True,
                hash_field="phone_hash",
                max_length=128,
                purpose="accounts.smscode.phone",
            ),
        ),
        migrations.AlterField(
            model_name="user",
            name="phone",
            field=nuanxin.core.fields.PhoneField(
                hash_field="phone_hash",
                max_length=128,
                purpose="accounts.user.phone",
                tail_field="phone_tail",
                unique=True,
                validators=[nuanxin.accounts.models.validate_phone],
                verbose_name="手机号",
            ),
        ),
        migrations.AddIndex(
            model_name="smscode",
            index=models.Index(fields=["phone_hash", "-created_at"], name="smscode_hash_recent"),
        ),
        migrations.RunPython(fill_hashes, open_phones),
    ]
