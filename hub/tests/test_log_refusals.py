"""Every 403 is one line in the log with its reason, not a traceback (issue 12.11)."""

import logging

from django.urls import reverse


def test_a_403_is_logged_on_one_line_with_its_reason(client, world, caplog):
    client.force_login(world.tutor)  # PAR only: Moderation is refused
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(reverse("moderation:index"))

    assert response.status_code == 403
    records = [r for r in caplog.records if r.name == "django.request"]
    assert len(records) == 1
    record = records[0]
    assert record.exc_info is None
    assert record.exc_text is None
    line = caplog.handler.format(record)
    assert "\n" not in line
    assert "Traceback" not in line
    assert "Forbidden" in line and reverse("moderation:index") in line
    assert "You have not been given access to Moderation" in line


def test_a_500_keeps_its_traceback():
    from hub.log_filters import ClientErrorsOnOneLine

    try:
        raise RuntimeError("boom")
    except RuntimeError:
        import sys

        record = logging.LogRecord(
            "django.request", logging.ERROR, __file__, 1, "Server error", (), sys.exc_info()
        )
    record.status_code = 500
    assert ClientErrorsOnOneLine().filter(record)
    assert record.exc_info is not None
