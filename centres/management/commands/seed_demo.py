import random

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from centres.demo import BATCH_QUALIFICATION, DEMO_PASSWORD, DEMO_USERS, add_learners, seed
from centres.models import Centre, Qualification
from claims.demo import seed_claims


class Command(BaseCommand):
    help = "Load the demo centres, catalogue, learners and logins (once), and print the logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--learners",
            type=int,
            default=0,
            help="Also add N learners at the first centre on the moderation qualification (bulk).",
        )
        parser.add_argument("--quiet", action="store_true", help="Do not print the logins.")

    def handle(self, *args, learners: int, quiet: bool, **options):
        if settings.HUB_PRODUCTION:
            raise CommandError(
                "Demo data is never loaded under the production profile (DJANGO_DEBUG=0)."
            )
        created = seed()
        # Claims' own demo rows: a centre assessor and the visiting assessor's centre.
        seed_claims()
        self.stdout.write(
            "Demo data loaded." if created else "Demo data already present; left as it is."
        )
        if learners:
            centre = Centre.objects.get(number="10001")
            qualification = Qualification.objects.get(code=BATCH_QUALIFICATION[0])
            add_learners(centre, qualification, learners, rng=random.Random(learners))
            self.stdout.write(f"Added {learners} learners at {centre} on {qualification.code}.")
        if not quiet:
            self.stdout.write("")
            self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
            for email, *_, description in DEMO_USERS:
                self.stdout.write(f"  {email:<22} {description}")
