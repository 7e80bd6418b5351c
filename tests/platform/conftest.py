"""Fixtures of tests/platform: the server processes of the multi-process tests (tests/platform/servers.py)."""

from tests.platform.servers import stop_afterwards  # noqa: F401 - a fixture for the tests here
