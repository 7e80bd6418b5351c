"""Releasing all drafted answers at once is not undone (issue 18): the dashboard's release control leads to the
check page (which lists what goes out) and nowhere posts the release directly."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models import Comment, Dialogue
from tests import factories
from tests.helpers import login, post_form
from tests.signoff.test_replies_signoff import ADMIN, PROVIDER, comment_by


@pytest.fixture(autouse=True)
def world(db: Session) -> dict:
    made = factories.demo_world(db)
    db.commit()
    return made


def test_the_release_button_is_only_on_the_check_page_that_lists_what_goes_out(client: TestClient, db: Session):
    comment = comment_by(db, PROVIDER, "De wachtlijst groeit.")
    assert login(client, ADMIN).status_code == 303
    answered = post_form(
        client, f"/review/comments/{comment.id}/triage", {"reply": "Dat nemen we mee."}, page="/review"
    )
    assert answered.status_code == 303
    assert db.exec(select(Comment).where(Comment.parent_id == comment.id, col(Comment.official))).one()
    trajectory = db.exec(select(Dialogue)).first()

    dashboard = client.get("/review").text
    assert f'href="/review/release/check?dialogue={trajectory.slug}"' in dashboard
    assert 'action="/review/release"' not in dashboard
    comment_page = client.get(f"/review/comments/{comment.id}").text
    assert 'action="/review/release"' not in comment_page

    check = client.get(f"/review/release/check?dialogue={trajectory.slug}").text
    assert "Dat nemen we mee." in check  # exactly what goes out, before the one button
    assert check.count('action="/review/release"') == 1
    assert check.index("Dat nemen we mee.") < check.index('action="/review/release"')
