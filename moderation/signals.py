"""Hooks other work attaches to (SLA clocks, certificates: the background-work issue)."""

from django.dispatch import Signal

# Sent once a batch transition has committed, with sender=Batch and keyword arguments
# batch_id, history_id, source, target (BatchStatus values) and actor_id.
batch_transitioned = Signal()
