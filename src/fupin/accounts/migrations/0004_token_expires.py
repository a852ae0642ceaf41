"""A person's sign-in over the API gives a token that expires (issue 26); an administrator's for a
system does not."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_two_person_roles'),
    ]

    operations = [
        migrations.AddField(
            model_name='apitoken',
            name='expires_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='失效时间'),
        ),
    ]
