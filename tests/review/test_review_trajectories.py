"""Review per trajectory and per stakeholder group (issue 16): the dashboard, the overview, the exports and the API
filter by trajectory (``dialogue_id``) and the dashboard, overview and exports by stakeholder group (a provider's
contacts count as group provider, consultation participants by their group), with a constant number of queries."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import pytest
from sqlmodel import Session

from app.models import Dialogue, Proposal, User
from tests import factories
from tests.helpers import key_headers

API = "/api/v1"


@dataclass
class Review:
    a: Dialogue
    b: Dialogue
    pa: Proposal
    pb: Proposal
    provider: User  # accepted in A and B
    referrer: User  # local referrer in B
    expert: User  # experience expert in B
    admin: User


def make(db: Session, *, extra_trajectories: int = 0) -> Review:
    a = factories.dialogue(db, new=True, title="Dialoog multi")
    b = factories.dialogue(db, new=True, kind="consultation", title="Consultatie logeren")
    pa = factories.proposal(db, dialogue_=a, title="Voorstel multi")
    pb = factories.proposal(db, dialogue_=b, title="Voorstel logeren")
    provider_ = factories.provider(db, invitation="accepted", dialogue_=a, name="Aanbieder Een")
    factories.invite(db, provider_, dialogue_=b)
    provider = factories.provider_user(db, provider_=provider_)
    referrer = factories.participant(db, dialogue_=b, group="local_referrer", name="Ria Verwijzer")
    expert = factories.participant(db, dialogue_=b, group="experience_expert", pseudonym="Zon", name="Eva Echt")
    factories.comment(db, factories.section(db, pa), provider, "Multi: aanbieder")
    factories.comment(db, factories.section(db, pb), provider, "Logeren: aanbieder")
    factories.comment(db, factories.section(db, pb), referrer, "Logeren: verwijzer")
    factories.comment(db, factories.section(db, pb), expert, "Logeren: ervaringsdeskundige")
    for n in range(extra_trajectories):
        d = factories.dialogue(db, new=True, kind="consultation", title=f"Extra {n}")
        p = factories.proposal(db, dialogue_=d)
        for group in ("external_referrer", "other", "experience_expert"):
            who = factories.participant(db, dialogue_=d, group=group)
            factories.comment(db, factories.section(db, p), who, f"Extra {n} {group}")
    world = Review(
        a=a, b=b, pa=pa, pb=pb, provider=provider, referrer=referrer, expert=expert, admin=factories.admin(db)
    )
    db.commit()
    return world


@pytest.fixture
def review(db: Session) -> Review:
    return make(db)


def test_the_dashboard_filters_by_trajectory_and_group_and_counts_per_group(browser, review: Review) -> None:
    c = browser(review.admin)
    everything = c.get("/review").text
    assert "Multi: aanbieder" in everything and "Logeren: verwijzer" in everything
    assert 'name="dialogue_id"' in everything and 'name="group"' in everything
    only_b = c.get("/review", params={"dialogue_id": review.b.id}).text
    assert "Multi: aanbieder" not in only_b
    assert "Logeren: aanbieder" in only_b and "Logeren: ervaringsdeskundige" in only_b
    assert "Zorgaanbieder: 1" in only_b and "Lokale verwijzer: 1" in only_b and "Ervaringsdeskundige: 1" in only_b
    experts = c.get("/review", params={"dialogue_id": review.b.id, "group": "experience_expert"}).text
    assert "Logeren: ervaringsdeskundige" in experts
    assert "Logeren: verwijzer" not in experts and "Logeren: aanbieder" not in experts
    assert "Eva Echt" in experts  # staff see the name
    providers = c.get("/review", params={"group": "provider"}).text
    assert "Multi: aanbieder" in providers and "Logeren: aanbieder" in providers
    assert "Logeren: verwijzer" not in providers
    bad = c.get("/review", params={"group": "kabouters"})
    assert bad.status_code == 422 and "Onbekende groep" in bad.text


def test_the_overview_counts_per_group_and_lists_the_trajectory_s_providers(browser, review: Review) -> None:
    c = browser(review.admin)
    page = c.get("/review/overview", params={"proposal_id": review.pb.id})
    assert page.status_code == 200
    assert "Per groep belanghebbenden" in page.text and "Aanbieder Een" in page.text
    experts = c.get("/review/overview", params={"proposal_id": review.pb.id, "group": "experience_expert"}).text
    assert "1 reacties" in experts or "1 reactie" in experts
    only_a = c.get("/review/overview", params={"dialogue_id": review.a.id}).text
    assert "Voorstel multi" in only_a and "Voorstel logeren" not in only_a


def test_the_exports_filter_by_trajectory_and_group(browser, db: Session, review: Review) -> None:
    c = browser(review.admin)
    csv_page = c.get("/review/export", params={"format": "csv", "dialogue_id": review.b.id, "group": "local_referrer"})
    rows = list(csv.reader(io.StringIO(csv_page.content.decode("utf-8-sig")), delimiter=";"))
    header, *body = rows
    assert [r[header.index("Reactie")] for r in body] == ["Logeren: verwijzer"]
    assert body[0][header.index("Groep belanghebbenden")] == "Lokale verwijzer"
    assert body[0][header.index("Traject")] == "Consultatie logeren"
    api = c.get(
        f"{API}/comments/export",
        params={"format": "csv", "dialogue_id": review.a.id},
        headers=key_headers(db, review.admin),
    )
    assert api.status_code == 200
    text = api.content.decode("utf-8-sig")
    assert "Multi: aanbieder" in text and "Logeren" not in text
    assert (
        c.get(
            f"{API}/comments/export", params={"group": "kabouters"}, headers=key_headers(db, review.admin)
        ).status_code
        == 422
    )


def test_the_api_lists_filter_by_trajectory(browser, db: Session, review: Review) -> None:
    c = browser()
    headers = key_headers(db, review.admin)
    bodies = {
        i["body"]
        for i in c.get(f"{API}/comments", params={"dialogue_id": review.a.id}, headers=headers).json()["items"]
    }
    assert bodies == {"Multi: aanbieder"}
    items = c.get(f"{API}/comments", params={"dialogue_id": review.b.id}, headers=headers).json()["items"]
    assert {i["dialogue_id"] for i in items} == {review.b.id}
    titles = {
        p["title"]
        for p in c.get(f"{API}/proposals", params={"dialogue_id": review.b.id}, headers=headers).json()["items"]
    }
    assert titles == {"Voorstel logeren"}


def test_the_dashboard_runs_as_many_queries_for_many_trajectories_and_groups(
    browser, db: Session, count_queries
) -> None:
    review = make(db)
    c = browser(review.admin)
    c.get("/review")
    with count_queries() as few:
        assert c.get("/review", params={"group": "experience_expert"}).status_code == 200
    make(db, extra_trajectories=4)
    with count_queries() as many:
        assert c.get("/review", params={"group": "experience_expert"}).status_code == 200
    assert many.count == few.count, (few.statements, many.statements)
    with count_queries() as few_overview:
        c.get("/review/overview", params={"proposal_id": review.pb.id})
    make(db, extra_trajectories=2)
    with count_queries() as many_overview:
        c.get("/review/overview", params={"proposal_id": review.pb.id})
    assert many_overview.count == few_overview.count


def test_feedback_goes_only_on_the_agenda_of_its_own_trajectory(browser, db: Session, review: Review) -> None:
    from sqlmodel import select

    from app.models import AgendaItemComment, Comment
    from tests.helpers import csrf_from

    meeting_a = factories.meeting(db, dialogue_=review.a)
    meeting_b = factories.meeting(db, dialogue_=review.b)
    db.commit()
    comment = db.exec(select(Comment).where(Comment.body == "Logeren: verwijzer")).one()
    c = browser(review.admin)
    token = csrf_from(c.get(f"/review/comments/{comment.id}").text)
    refused = c.post(
        f"/review/comments/{comment.id}/agenda",
        data={"session_id": str(meeting_a.id), "title": "Logeren bespreken", "csrf_token": token},
        follow_redirects=False,
    )
    assert refused.status_code == 422 and "ander traject" in refused.text
    assert db.exec(select(AgendaItemComment).where(AgendaItemComment.comment_id == comment.id)).all() == []
    done = c.post(
        f"/review/comments/{comment.id}/agenda",
        data={"session_id": str(meeting_b.id), "title": "Logeren bespreken", "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303
