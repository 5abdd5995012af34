"""Hooks other work attaches to (certificates, SLA clocks), so moderation imports none of it."""

from django.dispatch import Signal

# Sent inside the transition's transaction, right after its history row is written, with
# sender=Batch and keyword arguments batch_id, history_id, source, target (BatchStatus
# values) and actor_id. A receiver's writes commit or roll back with the transition: this is
# where follow-up work is queued in the outbox (hub/outbox.py). Receivers must not do slow
# I/O or send anything themselves.
batch_transition_recorded = Signal()

# Sent once a batch transition has committed, with the same keyword arguments. For
# notifications that may be lost without harm; work that must happen uses the one above.
batch_transitioned = Signal()
