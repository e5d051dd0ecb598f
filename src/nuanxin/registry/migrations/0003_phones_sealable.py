"""Workers' and enterprises' phones ready to be sealed at rest (PII_SEAL_PHONES): columns wide
enough for a sealed value, and for workers the keyed hash and last four digits that sheets and
searches find them by, filled for every row. ``nuanxin rotate-keys`` seals the rows."""

import nuanxin.core.fields
from django.db import migrations, models

from nuanxin.core.phone_columns import fill_companions, open_sealed

WORKERS = {
    "registry_worker": ("registry.worker.phone", "phone", "phone_hash", "phone_tail"),
}
ENTERPRISES = {
    "registry_enterprise": ("registry.enterprise.contact_phone", "contact_phone", "", ""),
}


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0002_seal_worker_id_numbers'),
    ]

    operations = [
        migrations.AddField(
            model_name='worker',
            name='phone_hash',
            field=models.CharField(blank=True, editable=False, max_length=64, null=True, unique=True, verbose_name='手机号检索值'),
        ),
        migrations.AddField(
            model_name='worker',
            name='phone_tail',
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=4, verbose_name='手机尾号'),
        ),
        migrations.AlterField(
            model_name='enterprise',
            name='contact_phone',
            field=nuanxin.core.fields.PhoneField(blank=True, input_length=20, max_length=128, purpose='registry.enterprise.contact_phone', verbose_name='联系电话'),
        ),
        migrations.AlterField(
            model_name='worker',
            name='phone',
            field=nuanxin.core.fields.PhoneField(hash_field='phone_hash', input_length=11, max_length=128, purpose='registry.worker.phone', tail_field='phone_tail', unique=True, verbose_name='手机号'),
        ),
        migrations.RunPython(fill_companions(WORKERS), open_sealed({**WORKERS, **ENTERPRISES})),
    ]
