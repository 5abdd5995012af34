from __future__ import annotations

from .models import AuditEvent, Centre


def audit(
    *, actor, action: str, subject: str, centre: Centre | None = None, **detail
) -> AuditEvent:
    """Write one audit row; call it inside the transaction of the change it records."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        centre=centre,
        action=action,
        subject=subject[:255],
        detail=detail,
    )
