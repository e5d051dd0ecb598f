import nuanxin.core.fields
from django.db import migrations

from nuanxin.core.phone_columns import open_sealed

# Going back to the narrower column: sealed values are turned back into clear first (the
# step runs last, so it is undone first).
COLUMNS = {"open311_clientapplication": ("open311.client.contact_phone", "contact_phone", "", "")}


class Migration(migrations.Migration):

    dependencies = [
        ('open311', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='clientapplication',
            name='contact_phone',
            field=nuanxin.core.fields.PhoneField(blank=True, input_length=30, max_length=128, purpose='open311.client.contact_phone', verbose_name='联系电话'),
        ),
        migrations.RunPython(migrations.RunPython.noop, open_sealed(COLUMNS)),
    ]
