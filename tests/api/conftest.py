"""Fixtures of the API's integration tests: a Python client generated from the served OpenAPI document.

``generated_client_package`` runs ``openapi-python-client generate`` once per test run on the document the app
serves at /api/v1/openapi.json (written to a temporary directory; the generated code never enters the
repository) and imports the package. ``api_client(user)`` is a generated ``AuthenticatedClient`` with a fresh
write key of ``user``, talking to the test's app (its httpx client is a TestClient on the app, so the requests go
through the whole ASGI stack on the test's database). More flows (a BI incremental sync, SDFL's sessions and
documents) use the same two fixtures.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.models import User
from tests import factories

BIN = Path(sys.executable).parent
PACKAGE = "dialoog_api_client"


@pytest.fixture(scope="session")
def generated_output(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Generate the client from the served document; returns its directory and what the generator printed."""
    from app.main import create_app

    app = create_app()
    with TestClient(app) as browser:
        served = browser.get("/api/v1/openapi.json")
    assert served.status_code == 200
    root = tmp_path_factory.mktemp("generated-client")
    document = root / "openapi.json"
    document.write_text(json.dumps(served.json()))
    output = root / "client"
    result = subprocess.run(
        [str(BIN / "openapi-python-client"), "generate", "--path", str(document), "--output-path", str(output)],
        capture_output=True,
        text=True,
        env={"PATH": f"{BIN}:/usr/bin:/bin"},  # ruff (the generator formats with it) beside this interpreter
        check=False,
    )
    printed = result.stdout + result.stderr
    assert result.returncode == 0, printed
    return output, printed


@pytest.fixture(scope="session")
def generated_client_package(generated_output: tuple[Path, str]) -> Iterator[ModuleType]:
    output, _printed = generated_output
    sys.path.insert(0, str(output))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(output))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def generated(name: str) -> Any:
    """A module of the generated package, e.g. ``generated("api.proposals.create_comment")``."""
    return importlib.import_module(f"{PACKAGE}.{name}")


ApiClient = Callable[..., Any]


@pytest.fixture
def api_client(app, db, generated_client_package: ModuleType) -> Iterator[ApiClient]:
    """``api_client(user, scope="write")``: the generated ``AuthenticatedClient`` with a fresh key of ``user``,
    on this test's app; ``api_client(None)``: the generated ``Client`` without a key."""
    opened: list[TestClient] = []

    def make(user: User | None, *, scope: str = "write") -> Any:
        browser = TestClient(app, base_url="http://testserver/api/v1")
        opened.append(browser)
        if user is None:
            client = generated_client_package.Client(base_url="http://testserver/api/v1")
        else:
            _row, key = factories.api_key(db, user, scope=scope)
            db.commit()
            client = generated_client_package.AuthenticatedClient(base_url="http://testserver/api/v1", token=key)
            browser.headers["Authorization"] = f"Bearer {key}"
        client.set_httpx_client(browser)
        return client

    yield make
    for browser in opened:
        browser.close()
