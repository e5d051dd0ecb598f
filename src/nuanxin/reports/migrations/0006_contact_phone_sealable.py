import nuanxin.core.fields
from django.db import migrations

from nuanxin.core.phone_columns import open_sealed

# Going back to the narrower column: sealed values are turned back into clear first (the
# step runs last, so it is undone first).
COLUMNS = {"reports_report": ("reports.report.contact_phone", "contact_phone", "", "")}


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0005_queue_count_index'),
    ]

    operations = [
        migrations.AlterField(
            model_name='report',
            name='contact_phone',
            field=nuanxin.core.fields.PhoneField(blank=True, input_length=30, max_length=128, purpose='reports.report.contact_phone', verbose_name='联系电话'),
        ),
        migrations.RunPython(migrations.RunPython.noop, open_sealed(COLUMNS)),
    ]
