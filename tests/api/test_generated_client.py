"""The integrations' flows through a client generated from the served OpenAPI document (openapi-python-client):
the generator prints no warning, and the generated code does what an integrator expects.

The provider's flow: post a comment with an Idempotency-Key, retry it (the same comment, 200, and the generated
client returns it), edit it with If-Match (the ETag from a GET), and get 412 with a stale tag.
"""

from __future__ import annotations

from http import HTTPStatus

from tests import factories
from tests.api.conftest import generated


def test_the_generator_prints_no_warning(generated_output):
    _output, printed = generated_output
    assert "warning" not in printed.lower(), printed
    assert "error" not in printed.lower(), printed


def test_operations_have_readable_names(generated_client_package):
    for module in ("listComments", "createComment", "getComment", "editComment", "withdrawComment"):
        snake = "".join("_" + c.lower() if c.isupper() else c for c in module)
        assert hasattr(generated(f"api.proposals.{snake}"), "sync_detailed")


def test_provider_posts_retries_edits_and_gets_412_on_a_stale_tag(db, api_client):
    section = factories.section(db, factories.proposal(db))
    author = factories.provider_user(db)
    db.commit()
    client = api_client(author)
    create = generated("api.proposals.create_comment")
    get = generated("api.proposals.get_comment")
    edit = generated("api.proposals.edit_comment")
    models = generated("models")

    body = models.CommentCreate.from_dict({"section_id": section.id, "kind": "vraag", "body": "Hoe wordt geteld?"})
    first = create.sync_detailed(client=client, body=body, idempotency_key="retry-me-1")
    assert first.status_code == HTTPStatus.CREATED
    comment = first.parsed
    assert isinstance(comment, models.CommentOut)
    assert first.headers["Location"] == f"/api/v1/comments/{comment.id}"

    again = create.sync_detailed(client=client, body=body, idempotency_key="retry-me-1")
    assert again.status_code == HTTPStatus.OK
    assert again.headers["Idempotent-Replayed"] == "true"
    assert isinstance(again.parsed, models.CommentOut), "the generated client must return the comment, not None"
    assert again.parsed.id == comment.id

    read = get.sync_detailed(comment.id, client=client)
    assert read.status_code == HTTPStatus.OK
    etag = read.headers["ETag"]
    patch = models.CommentPatch.from_dict({"body": "Hoe wordt er precies geteld?"})
    edited = edit.sync_detailed(comment.id, client=client, body=patch, if_match=etag)
    assert edited.status_code == HTTPStatus.OK
    assert isinstance(edited.parsed, models.CommentOut)
    assert edited.parsed.body == "Hoe wordt er precies geteld?"
    assert edited.headers["ETag"] != etag

    stale = edit.sync_detailed(comment.id, client=client, body=patch, if_match=etag)
    assert stale.status_code == HTTPStatus.PRECONDITION_FAILED
    assert isinstance(stale.parsed, models.Problem)
    assert stale.parsed.status == 412


def test_binary_downloads_come_back_as_bytes(db, api_client, generated_client_package):
    """The document download and the XLSX export: ``File`` with the exact bytes, never text."""
    admin = factories.admin(db)
    db.commit()
    client = api_client(admin)
    export = generated("api.review.export_comments")
    models = generated("models")
    answer = export.sync_detailed(client=client, format_=models.ExportCommentsFormat.XLSX)
    assert answer.status_code == HTTPStatus.OK
    assert isinstance(answer.parsed, generated("types").File)
    data = answer.parsed.payload.read()
    assert data.startswith(b"PK")  # a zip container: the XLSX intact
    assert data == answer.content
