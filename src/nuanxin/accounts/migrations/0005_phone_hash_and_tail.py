"""Phones ready to be sealed at rest (PII_SEAL_PHONES): a column wide enough for a sealed value,
the keyed hash they are found by and (accounts) the last four digits, filled for every row.

The rows are not sealed here: with the setting on, ``nuanxin rotate-keys`` seals them (and with
it off turns sealed ones back), so the schema is the same whichever the setting.
"""

import nuanxin.accounts.models
import nuanxin.core.fields
from nuanxin.core.phone_columns import fill_companions, open_sealed
from django.db import migrations, models

COLUMNS = {
    "accounts_user": ("accounts.user.phone", "phone", "phone_hash", "phone_tail"),
    "accounts_smscode": ("accounts.smscode.phone", "phone", "phone_hash", ""),
}


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
        migrations.RunPython(fill_companions(COLUMNS), open_sealed(COLUMNS)),
    ]
