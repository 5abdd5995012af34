"""Browser tests of the foundation.

The fixtures (``playwright``, ``browser``, ``page``) and helpers (``login``,
``assert_accessible``) live in ``testsupport.browser``, registered for the whole suite by
the root conftest.py, so every app's ``tests/browser/`` shares them. Import the helpers
from there: ``from testsupport.browser import assert_accessible, login``.
"""
