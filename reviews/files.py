"""The evidence a centre may attach to a review (R-REV-1), checked as every upload is.

The evidence may be a learner's work or anything the centre relies on, so it is checked as
learner work on a batch is (moderation.files, kind "sample"): by content, name and size
(HUB_MAX_SAMPLE_MB), password-protected and disguised files refused (R-NEW-5).
"""

from __future__ import annotations

from django.core.files import File

from moderation import files
from moderation.models import DocumentKind

EVIDENCE_KIND = DocumentKind.SAMPLE


def inspect_evidence(upload: File) -> files.CheckedFile:
    """Check the evidence file (ValidationError, in words, if refused); the answer is kept on
    the upload, so the form's call and the service's cost one check."""
    return files.inspect_upload(upload, EVIDENCE_KIND)


def max_evidence_bytes() -> int:
    return files.max_bytes(EVIDENCE_KIND)
