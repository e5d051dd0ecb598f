"""ID numbers sealed at rest (core.crypto) and found by a keyed hash; existing rows sealed."""

import nuanxin.core.fields
from django.db import migrations, models

PURPOSE = "registry.worker.id_number"
BATCH = 500


def seal_existing(apps, schema_editor):
    from nuanxin.core.crypto import blind_index, is_sealed, seal

    Worker = apps.get_model("registry", "Worker")
    table = Worker._meta.db_table
    last = 0
    with schema_editor.connection.cursor() as cursor:
        while True:
            # Raw reads: the rows still hold clear text, and the field would pass it through.
            cursor.execute(
                f"SELECT id, id_number FROM {table} WHERE id > %s AND id_number IS NOT NULL "  # noqa: S608
                "AND id_number <> '' ORDER BY id LIMIT %s",
                [last, BATCH],
            )
            rows = cursor.fetchall()
            if not rows:
                return
            updates = [
                (seal(number, purpose=PURPOSE), blind_index(number, purpose=PURPOSE), pk)
                for pk, number in rows
                if not is_sealed(number)
            ]
            cursor.executemany(
                f"UPDATE {table} SET id_number = %s, id_number_hash = %s WHERE id = %s",  # noqa: S608
                updates,
            )
            last = rows[-1][0]


def open_existing(apps, schema_editor):
    from nuanxin.core.crypto import unseal

    Worker = apps.get_model("registry", "Worker")
    table = Worker._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT id, id_number FROM {table} WHERE id_number IS NOT NULL")  # noqa: S608
        rows = [(unseal(v, purpose=PURPOSE), pk) for pk, v in cursor.fetchall() if v]
        cursor.executemany(
            f"UPDATE {table} SET id_number = %s, id_number_hash = NULL WHERE id = %s",  # noqa: S608
            rows,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="worker",
            name="id_number_hash",
            field=models.CharField(
                blank=True,
                editable=False,
                max_length=64,
                null=True,
                unique=True,
                verbose_name="身份证号检索值",
            ),
        ),
        migrations.AlterField(
            model_name="worker",
            name="id_number",
            field=nuanxin.core.fields.SealedTextField(
                blank=True,
                hash_field="id_number_hash",
                null=True,
                purpose=PURPOSE,
                verbose_name="身份证号",
            ),
        ),
        migrations.RunPython(seal_existing, open_existing),
    ]
