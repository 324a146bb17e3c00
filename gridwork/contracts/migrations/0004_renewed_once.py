"""A contract is renewed once: at most one renewal of a contract that is not abandoned (续约, the lock in
``contract_renew`` and this constraint behind it)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("contracts", "0003_clause_match")]

    operations = [
        migrations.AddConstraint(
            model_name="contract",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state", "cancelled"), _negated=True),
                fields=("renewed_from",),
                name="contract_renewed_once",
            ),
        ),
    ]
