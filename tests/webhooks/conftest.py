from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.config import get_settings
from tests.webhooks.receiver import Receiver, start


@pytest.fixture
def allow_private(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """DIALOOG_WEBHOOK_ALLOW_PRIVATE=true: the receivers of these tests listen on 127.0.0.1."""
    monkeypatch.setenv("DIALOOG_WEBHOOK_ALLOW_PRIVATE", "true")
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("DIALOOG_WEBHOOK_ALLOW_PRIVATE")
    get_settings.cache_clear()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made, server = start()
    yield made
    server.shutdown()
    server.server_close()
