"""Static files under their content's hash, cached for a year; pages and JSON gzipped; downloads unharmed (issue 18)."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient as StarletteClient

from app.web.assets import IMMUTABLE, Assets, HashedStaticFiles
from app.web.templates import TEMPLATE_DIR
from tests import factories
from tests.factories import PASSWORD
from tests.helpers import csrf_from, login

STATIC_URL = re.compile(r'(?:href|src)="(/static/[^"]+)"')
HASHED = re.compile(r"\.[0-9a-f]{12}(\.[a-z]+)?$")
GZIP = {"Accept-Encoding": "gzip"}


@pytest.fixture
def world(db):
    dialogue = factories.dialogue(db)
    proposal = factories.proposal(db, dialogue_=dialogue)
    admin = factories.admin(db)
    db.commit()
    return {"dialogue": dialogue, "proposal": proposal, "admin": admin}


def test_every_static_url_in_a_page_is_hashed_answers_200_and_is_immutable(client, world):
    pages = ["/", "/login", "/proposals", f"/proposals/{world['proposal'].id}", "/api/docs", "/bestaat-niet"]
    seen: set[str] = set()
    for page in pages:
        html = client.get(page).text
        urls = STATIC_URL.findall(html)
        assert urls, f"no static files linked on {page}"
        seen.update(urls)
    assert {"dialoog", "htmx", "swagger-ui"} <= {u.rsplit("/", 1)[1].split(".")[0] for u in seen}
    for url in seen:
        assert HASHED.search(url), url
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["cache-control"] == IMMUTABLE == "public, max-age=31536000, immutable"


def test_templates_link_static_files_only_through_static_url():
    loose = [
        f"{path.relative_to(TEMPLATE_DIR)}: {line.strip()}"
        for path in TEMPLATE_DIR.rglob("*.html")
        for line in path.read_text().splitlines()
        if "/static/" in line and "static_url(" not in line
    ]
    assert loose == []


def test_the_plain_name_and_a_stale_hash_still_work_but_are_revalidated(client):
    plain = client.get("/static/dialoog.css")
    assert plain.status_code == 200 and plain.headers["cache-control"] == "no-cache"
    stale = client.get("/static/dialoog.000000000000.css")
    assert stale.status_code == 200 and stale.headers["cache-control"] == "no-cache"
    assert stale.content == plain.content
    again = client.get("/static/dialoog.css", headers={"If-None-Match": plain.headers["etag"]})
    assert again.status_code == 304
    assert client.get("/static/nope.000000000000.css").status_code == 404
    assert client.get("/static/../main.py").status_code == 404


def test_changing_the_bytes_changes_the_url(tmp_path: Path):
    (tmp_path / "css").mkdir()
    style = tmp_path / "css" / "site.css"
    style.write_text("body { color: black }")
    (tmp_path / "LICENSE").write_text("free")
    before = Assets(tmp_path)
    style.write_text("body { color: navy }")
    after = Assets(tmp_path)
    assert before.url("css/site.css") != after.url("css/site.css")
    assert re.fullmatch(r"/static/css/site\.[0-9a-f]{12}\.css", after.url("css/site.css"))
    assert re.fullmatch(r"/static/LICENSE\.[0-9a-f]{12}", after.url("LICENSE"))
    with pytest.raises(LookupError):
        after.url("css/missing.css")

    served = Starlette(routes=[Mount("/static", HashedStaticFiles(assets=after))])
    with StarletteClient(served) as c:
        current = c.get(after.url("css/site.css"))
        assert current.status_code == 200 and current.text == "body { color: navy }"
        assert current.headers["cache-control"] == IMMUTABLE
        old = c.get(before.url("css/site.css"))  # a page from before the change: the new bytes, not for a year
        assert old.status_code == 200 and old.text == "body { color: navy }"
        assert old.headers["cache-control"] == "no-cache"
        assert c.get(after.url("LICENSE")).headers["cache-control"] == IMMUTABLE


# --- compression -----------------------------------------------------------------------------------------------


def raw_get(client, url: str, **headers: str) -> httpx.Response:
    """A GET whose body is left as it came (httpx would otherwise undo the gzip)."""
    with client.stream("GET", url, headers=headers) as response:
        response.raw_body = b"".join(response.iter_raw())  # type: ignore[attr-defined]
        return response


def test_pages_json_and_css_are_gzipped_when_the_client_accepts_it(client, world):
    for url in ("/", f"/proposals/{world['proposal'].id}", "/api/v1/openapi.json", "/static/dialoog.css"):
        response = raw_get(client, url, **GZIP)
        assert response.status_code == 200, url
        assert response.headers["content-encoding"] == "gzip", url
        assert "accept-encoding" in response.headers["vary"].lower()
        assert gzip.decompress(response.raw_body)  # type: ignore[attr-defined]
    plain = raw_get(client, "/", **{"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert b"<html" in plain.raw_body  # type: ignore[attr-defined]


def test_a_small_answer_is_not_compressed(client):
    response = raw_get(client, "/healthz", **GZIP)
    assert response.status_code == 200
    assert "content-encoding" not in response.headers


def test_two_compressed_answers_of_a_page_carry_different_tokens_that_both_work(client, world):
    assert login(client, world["admin"].email, PASSWORD).status_code == 303
    first, second = (raw_get(client, "/account", **GZIP) for _ in range(2))
    tokens = [csrf_from(gzip.decompress(r.raw_body).decode()) for r in (first, second)]  # type: ignore[attr-defined]
    assert first.headers["content-encoding"] == "gzip"
    assert tokens[0] != tokens[1]
    response = client.post("/admin/users", data={"csrf_token": tokens[0], "email": "x", "role": "admin"})
    assert response.status_code != 403
    assert client.post("/logout", data={"csrf_token": tokens[1]}, follow_redirects=False).status_code == 303


def test_document_downloads_are_not_gzipped_and_ranges_still_work(client, db):
    provider = factories.provider_user(db)
    document = factories.document(db)
    db.commit()
    assert login(client, provider.email, PASSWORD).status_code == 303
    whole = raw_get(client, f"/documents/{document.id}/download", **GZIP)
    assert whole.status_code == 200
    assert "content-encoding" not in whole.headers
    assert whole.raw_body.startswith(b"%PDF")  # type: ignore[attr-defined]
    assert int(whole.headers["content-length"]) == len(whole.raw_body)  # type: ignore[attr-defined]
    part = raw_get(client, f"/documents/{document.id}/download", Range="bytes=0-3", **GZIP)
    assert part.status_code == 206 and part.raw_body == b"%PDF"  # type: ignore[attr-defined]


@pytest.mark.signed_in("admin")
def test_exports_still_download_whole(client, db, world):
    section = factories.sections(db, world["proposal"])[0]
    factories.comment(db, section, factories.provider_user(db), body="Een reactie")
    db.commit()
    for fmt, magic in (("csv", None), ("xlsx", b"PK")):
        response = raw_get(client, f"/review/export?format={fmt}", **GZIP)
        assert response.status_code == 200, fmt
        body = response.raw_body  # type: ignore[attr-defined]
        if response.headers.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
        if magic:
            assert body.startswith(magic) and "content-encoding" not in response.headers
        else:
            assert "Een reactie" in body.decode("utf-8-sig")
