from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from centres.demo import BATCH_QUALIFICATION, DEMO_PASSWORD, DEMO_USERS, seed
from centres.models import Centre, Qualification
from certificates.demo import seed_activity
from claims.demo import seed_claims
from hub.demo_scale import (
    add_selected_learners,
    seed_big_batches,
    seed_big_claim,
    seed_open_batches,
)
from reviews.demo import seed_reviews


class Command(BaseCommand):
    help = (
        "Load the demo centres, catalogue, learners and logins, and (without the scale options)"
        " batches, claims and certificates in every status, once; print the logins."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--learners",
            type=int,
            default=0,
            help="Also add N learners at the first centre on the moderation qualification (bulk).",
        )
        parser.add_argument(
            "--selected-units",
            type=int,
            default=0,
            help="With --learners: select the first U units on the PAR for each of them.",
        )
        parser.add_argument(
            "--open-batches",
            type=int,
            default=0,
            help="Add M batches waiting on the moderators, spread over the demo centres.",
        )
        parser.add_argument(
            "--big-batch",
            type=int,
            default=0,
            help=(
                "Add three Northgate batches: a Draft one (Select Units to Pass on Batch), a "
                "Centre Completing one and one under review, the last two with K learner-units."
            ),
        )
        parser.add_argument(
            "--big-claim",
            type=int,
            default=0,
            help="Add an Unsubmitted Northgate claim with L lines.",
        )
        parser.add_argument("--quiet", action="store_true", help="Do not print the logins.")

    def handle(
        self,
        *args,
        learners: int,
        selected_units: int,
        open_batches: int,
        big_batch: int,
        big_claim: int,
        quiet: bool,
        **options,
    ):
        if settings.HUB_PRODUCTION:
            raise CommandError(
                "Demo data is never loaded under the production profile (DJANGO_DEBUG=0)."
            )
        created = seed()
        # Claims' own demo rows: a centre assessor and the visiting assessor's centre.
        seed_claims()
        # Batches and claims in every status, certificates posted and waiting (issue 14): for
        # a first look. The scale options are for measuring, on data of exactly the sizes
        # asked for, so they load without it.
        scale = learners or big_batch or open_batches or big_claim
        lived_in = seed_activity() if not scale else False
        # A review of moderation under way (issue 15), on the lived-in batches only.
        reviewed = seed_reviews() if lived_in else None
        self.stdout.write(
            "Demo data loaded." if created else "Demo data already present; left as it is."
        )
        if lived_in:
            self.stdout.write("Demo batches, claims and certificates loaded.")
        if reviewed is not None:
            self.stdout.write(
                f"Review {reviewed.pk} of batch {reviewed.batch_id} is Under review"
                f" ({reviewed.reviewer.email})."
            )
        if learners:
            centre = Centre.objects.get(number="10001")
            qualification = Qualification.objects.get(code=BATCH_QUALIFICATION[0])
            add_selected_learners(count=learners, selected_units=selected_units, seed=learners)
            self.stdout.write(
                f"Added {learners} learners at {centre} on {qualification.code}"
                f" ({selected_units} units selected each)."
            )
        if big_batch:
            batches = seed_big_batches(learner_units=big_batch)
            self.stdout.write(
                f"Added batches {batches.draft_pk} (Draft), {batches.completing_pk} (Centre"
                f" Completing, {big_batch} learner-units) and {batches.review_pk} (With"
                f" Moderator, {big_batch} learner-units) at Northgate."
            )
        if open_batches:
            seed_open_batches(count=open_batches)
            self.stdout.write(f"Added {open_batches} open batches waiting on the moderators.")
        if big_claim:
            claim_pk = seed_big_claim(lines=big_claim)
            self.stdout.write(f"Added claim {claim_pk} at Northgate with {big_claim} lines.")
        if not quiet:
            self.stdout.write("")
            self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
            for email, *_, description in DEMO_USERS:
                self.stdout.write(f"  {email:<22} {description}")
