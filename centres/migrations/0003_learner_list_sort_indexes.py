"""The long lists' sorts (Learners, claims By Candidate) read a page off an index.

On PostgreSQL at 20,000 learners a centre's list sorted by surname, candidate number or
date of birth was a hash join and a sort of every learner for each page; with these a page
is the first 50 entries of an index scan.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("centres", "0002_registration_current_idx"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="learner",
            index=models.Index(
                fields=["centre", "last_name", "first_name", "id"], name="learner_centre_name_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="learner",
            index=models.Index(
                fields=["centre", "candidate_number", "id"], name="learner_centre_number_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="learner",
            index=models.Index(
                fields=["centre", "date_of_birth", "id"], name="learner_centre_dob_idx"
            ),
        ),
    ]
