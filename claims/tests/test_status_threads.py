"""A claim's status under a threaded server: parallel refreshes never trip its protection.

The same shared-flag refresh that failed batch pages (issue 12.1) sat on ``Claim.status``.
"""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from claims.models import Claim, ClaimStatus

from .factories import ClaimFactory


@pytest.mark.django_db(transaction=True)
def test_parallel_refreshes_of_one_claim_raise_nothing():
    claim = ClaimFactory(status=ClaimStatus.SUBMITTED)

    def read(_index: int) -> set[str]:
        try:
            mine = Claim.objects.get(pk=claim.pk)
            seen = set()
            for _ in range(5):
                mine.refresh_from_db()
                seen.add(mine.status)
            return seen
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        seen = set().union(*pool.map(read, range(80)))

    assert seen == {ClaimStatus.SUBMITTED}
    with pytest.raises(AttributeError):
        claim.status = ClaimStatus.PROCESSED
