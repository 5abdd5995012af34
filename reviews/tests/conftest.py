import pytest


@pytest.fixture(autouse=True)
def _outbox_tasks_run_in_process(settings):
    # Notices and certificate work go through the outbox's Celery task once the change
    # commits; here that task runs in the test process, so a test sees what it causes.
    settings.CELERY_TASK_ALWAYS_EAGER = True
