"""Publishing after a session: a report only once the session is marked held (409), the TenderNed record of a
report, and the recording (consent of each attendee, audience, link or file, release moment), per role and with
the clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app.demo import DEMO_PASSWORD
from app.kit import clock
from app.models import AuditEvent, DialogueSession, OutboxMessage, RecordingConsent, SessionStatus
from tests import factories
from tests.helpers import assert_problem, key_headers, local, login, post_form

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 2000


@pytest.fixture(autouse=True)
def world(db):
    """SDFL, Almere, the accepted provider Rodante (with a colleague), an approved consultation participant, and a
    session that ended yesterday, still planned."""
    clock.freeze(NOW)
    factories.demo_dialogue(db)
    people = factories.accounts(db, "sdfl@example.org", "almere@example.org", "rodante@example.org")
    rodante = people["rodante@example.org"]
    people["colleague"] = factories.provider_user(
        db, provider_id=rodante.provider_id, email="collega@rodante.example.org"
    )
    people["participant"] = factories.participant(db)
    people["declined"] = factories.account(db, "afgemeld@example.org", invitation="declined")
    factories.meeting(db, starts_at=NOW - timedelta(days=1), hours=3)
    db.commit()
    return people


@pytest.fixture
def meeting(db) -> DialogueSession:
    return db.exec(select(DialogueSession)).one()


def browser(app, email: str | None, password: str = DEMO_PASSWORD) -> TestClient:
    client = TestClient(app, base_url="http://testserver")
    if email:
        assert login(client, email, password).status_code == 303
    return client


def events(db, action: str) -> list[AuditEvent]:
    return list(db.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


# --- a report only once its session is held --------------------------------------------------------------------


def test_a_report_of_a_session_not_marked_held_is_refused_on_the_form_with_the_text_kept(client, db, meeting):
    login(client, "sdfl@example.org")
    page = f"/admin/sessions/{meeting.id}"
    text = "# Verslag\n\nWat we <b>bespraken</b>."
    refused = post_form(client, f"{page}/report", {"report": text, "publish": "1"}, page=page)
    assert refused.status_code == 409
    assert "als gehouden is gemarkeerd" in refused.text and 'id="error-report"' in refused.text
    assert "# Verslag\n\nWat we &lt;b&gt;bespraken&lt;/b&gt;.</textarea>" in refused.text  # the text as typed
    db.refresh(meeting)
    assert meeting.report_published_at is None and meeting.report == ""
    assert not events(db, "session.report_published")
    # Marked held, the same form publishes it.
    meeting.status = SessionStatus.held
    db.add(meeting)
    db.commit()
    assert post_form(client, f"{page}/report", {"report": text, "publish": "1"}, page=page).status_code == 303
    db.refresh(meeting)
    assert meeting.report_published_at == NOW and len(events(db, "session.report_published")) == 1


def test_a_report_of_a_session_not_marked_held_is_a_409_over_the_api(client, db, meeting, world):
    admin = key_headers(db, world["sdfl@example.org"])
    path = f"/api/v1/sessions/{meeting.id}/report"
    body = assert_problem(client.put(path, json={"report": "Verslag.", "publish": True}, headers=admin), 409)
    assert "als gehouden is gemarkeerd" in body["detail"]
    assert client.get(f"/api/v1/sessions/{meeting.id}").json()["report"] is None
    # Saving without publishing is fine; once held, publishing is too.
    assert client.put(path, json={"report": "Verslag."}, headers=admin).json()["report"] is None
    meeting.status = SessionStatus.held
    db.add(meeting)
    db.commit()
    published = client.put(path, json={"report": "Verslag.", "publish": True}, headers=admin)
    assert published.status_code == 200 and published.json()["report"] == "Verslag."
    assert published.json()["report_published_at"].startswith("2026-11-20T09:00")


@pytest.mark.parametrize(
    "who,status",
    [(None, 401), ("rodante@example.org", 403), ("almere@example.org", 403), ("sdfl-read", 403)],
)
def test_only_admins_write_a_report_over_the_api(client, db, meeting, world, who, status):
    headers = {}
    if who == "sdfl-read":
        headers = key_headers(db, world["sdfl@example.org"], scope="read")
    elif who:
        headers = key_headers(db, world[who])
    response = client.put(f"/api/v1/sessions/{meeting.id}/report", json={"report": "x"}, headers=headers)
    assert_problem(response, status)


# --- the TenderNed record of a report ----------------------------------------------------------------------------


def publish_report(db, meeting: DialogueSession) -> None:
    meeting.status = SessionStatus.held
    meeting.report = "## Verslag\n\nDe productstructuur."
    meeting.report_published_at = NOW - timedelta(hours=1)
    db.add(meeting)
    db.commit()


RECORD = {
    "tenderned_published_on": "2026-11-19",
    "tenderned_reference": "TN-2026-4411",
    "tenderned_url": "https://www.tenderned.nl/aankondigingen/overzicht/4411",
}


def test_the_tenderned_record_of_a_report_is_validated_shown_changed_and_audited(client, db, meeting):
    login(client, "sdfl@example.org")
    page = f"/admin/sessions/{meeting.id}"
    # Not before the report is published in Dialoog.
    early = post_form(client, f"{page}/tenderned", RECORD, page=page)
    assert early.status_code == 409 and "Publiceer eerst het verslag" in early.text
    publish_report(db, meeting)
    wrong = post_form(
        client,
        f"{page}/tenderned",
        {"tenderned_published_on": "2026-11-21", "tenderned_reference": " ", "tenderned_url": "http://x.example"},
        page=page,
    )
    assert wrong.status_code == 422
    for field in ("tenderned_published_on", "tenderned_reference", "tenderned_url"):
        assert f'id="error-{field}"' in wrong.text
    assert "in de toekomst" in wrong.text and 'value="http://x.example"' in wrong.text  # as typed
    assert post_form(client, f"{page}/tenderned", RECORD, page=page).status_code == 303
    db.refresh(meeting)
    assert meeting.tenderned_reference == "TN-2026-4411" and str(meeting.tenderned_published_on) == "2026-11-19"
    [recorded] = events(db, "session.tenderned_recorded")
    assert recorded.after == {"published_on": "2026-11-19", "reference": "TN-2026-4411", "url": RECORD["tenderned_url"]}

    public = TestClient(client.app).get(f"/sessions/{meeting.id}").text
    assert "Gepubliceerd op TenderNed op donderdag 19 november 2026" in public
    assert f'href="{RECORD["tenderned_url"]}"' in public and "TN-2026-4411" in public
    api = client.get(f"/api/v1/sessions/{meeting.id}").json()["tenderned"]
    assert api == {"published_on": "2026-11-19", "reference": "TN-2026-4411", "url": RECORD["tenderned_url"]}

    changed = {**RECORD, "tenderned_published_on": "20-11-2026"}  # typed the Dutch way; today is allowed
    assert post_form(client, f"{page}/tenderned", changed, page=page).status_code == 303
    assert len(events(db, "session.tenderned_recorded")) == 2
    empty = {k: "" for k in RECORD}
    assert post_form(client, f"{page}/tenderned", empty, page=page).status_code == 303
    assert events(db, "session.tenderned_removed")
    assert "Gepubliceerd op TenderNed" not in TestClient(client.app).get(f"/sessions/{meeting.id}").text


@pytest.mark.parametrize("who,status", [(None, 303), ("rodante@example.org", 403), ("almere@example.org", 403)])
def test_only_admins_record_a_tenderned_publication(app, db, meeting, who, status):
    publish_report(db, meeting)
    client = browser(app, who)
    response = post_form(
        client, f"/admin/sessions/{meeting.id}/tenderned", RECORD, page="/login" if who is None else "/account"
    )
    assert response.status_code == status
    db.refresh(meeting)
    assert meeting.tenderned_reference is None


# --- recordings ----------------------------------------------------------------------------------------------------


def save_recording(client, meeting, data: dict, files: dict | None = None):
    page = f"/admin/sessions/{meeting.id}"
    return post_form(client, f"{page}/recording", data, page=page, files=files)


def test_a_recording_for_participants_at_its_moment_per_role(app, client, db, meeting, world):
    publish_report(db, meeting)
    login(client, "sdfl@example.org")
    moment = NOW + timedelta(days=2)
    link = "https://video.example.org/sessie-1"
    saved = save_recording(
        client, meeting, {"recording_url": link, "audience": "participants", "release_at": local(moment)}
    )
    assert saved.status_code == 303
    [event] = events(db, "session.recording_updated")
    assert event.after and event.after["recording_audience"] == "participants"

    def seen(who: str | None) -> tuple[int, bool, str | None]:
        c = browser(app, who, factories.PASSWORD if who == world_participant(db) else DEMO_PASSWORD)
        r = c.get(f"/sessions/{meeting.id}/recording", follow_redirects=False)
        return r.status_code, link in c.get(f"/sessions/{meeting.id}").text, r.headers.get("location")

    # Before its moment: staff only, everyone else 404 (also the participants), in the page and the API.
    assert seen(None)[:2] == (404, False)
    assert seen("rodante@example.org")[:2] == (404, False)
    assert seen("almere@example.org") == (303, True, link)
    assert "nog niet gepubliceerd" in browser(app, "almere@example.org").get(f"/sessions/{meeting.id}").text
    assert seen("sdfl@example.org") == (303, True, link)
    almere_key = key_headers(db, world["almere@example.org"])
    assert TestClient(app).get(f"/api/v1/sessions/{meeting.id}", headers=almere_key).json()["recording"]["url"] == link
    anonymous_api = TestClient(app).get(f"/api/v1/sessions/{meeting.id}").json()
    assert anonymous_api["recording"] is None and anonymous_api["recording_url"] is None
    assert "video.example.org" not in TestClient(app).get("/feed.atom").text

    clock.freeze(moment)  # released: to the participants of the trajectory, not to the public
    assert seen(None)[:2] == (404, False)
    assert seen("rodante@example.org") == (303, True, link)
    assert seen(world_participant(db))[:2] == (303, True)
    assert seen("afgemeld@example.org")[:2] == (404, False)  # declined: not a participant
    assert "Opname dialoogsessie" not in TestClient(app).get("/feed.atom").text
    rodante_key = key_headers(db, world["rodante@example.org"])
    recording = TestClient(app).get(f"/api/v1/sessions/{meeting.id}", headers=rodante_key).json()["recording"]
    assert recording["audience"] == "participants" and recording["url"] == link and recording["released"]


def world_participant(db) -> str:
    return db.exec(select(factories.User).where(factories.User.role == "participant")).one().email


def test_a_public_recording_without_a_moment_goes_out_with_the_report(app, client, db, meeting):
    login(client, "sdfl@example.org")
    saved = save_recording(client, meeting, {"recording_url": "https://video.example.org/1", "audience": "public"})
    assert saved.status_code == 303
    anonymous = TestClient(app)
    assert anonymous.get(f"/sessions/{meeting.id}/recording", follow_redirects=False).status_code == 404
    publish_report(db, meeting)
    assert anonymous.get(f"/sessions/{meeting.id}/recording", follow_redirects=False).status_code == 303
    assert "https://video.example.org/1" in anonymous.get(f"/sessions/{meeting.id}").text
    feed = anonymous.get("/feed.atom").text
    assert f"session-{meeting.id}-recording" in feed and "Opname dialoogsessie" in feed


def test_an_uploaded_recording_is_checked_by_its_bytes_and_served_after_its_moment(app, client, db, meeting):
    publish_report(db, meeting)
    login(client, "sdfl@example.org")
    pdf = save_recording(
        client, meeting, {"audience": "public"}, files={"file": ("opname.mp4", b"%PDF-1.4 x", "video/mp4")}
    )
    assert pdf.status_code == 422 and "alleen audio of video" in pdf.text
    named = save_recording(
        client, meeting, {"audience": "public"}, files={"file": ("opname.pdf", MP4, "application/pdf")}
    )
    assert named.status_code == 422 and "moet eindigen op .mp4" in named.text
    both = save_recording(
        client,
        meeting,
        {"audience": "public", "recording_url": "https://v.example.org/1"},
        files={"file": ("opname.mp4", MP4, "video/mp4")},
    )
    assert both.status_code == 422 and "niet allebei" in both.text
    big = save_recording(
        client,
        meeting,
        {"audience": "public"},
        files={"file": ("opname.mp4", MP4 + b"\0" * (20 * 1024 * 1024), "video/mp4")},
    )
    assert big.status_code == 422 and "te groot" in big.text
    moment = NOW + timedelta(hours=3)
    saved = save_recording(
        client,
        meeting,
        {"audience": "public", "release_at": local(moment)},
        files={"file": ("../Opname sessie 1.mp4", MP4, "application/octet-stream")},
    )
    assert saved.status_code == 303
    db.refresh(meeting)
    assert meeting.recording_filename == "Opname sessie 1.mp4" and meeting.recording_content_type == "video/mp4"
    assert meeting.recording_url is None and meeting.recording_size == len(MP4)
    assert meeting.recorded  # a session with a recording is recorded
    staff = client.get(f"/sessions/{meeting.id}/recording")
    assert staff.status_code == 200 and staff.content == MP4 and staff.headers["content-type"] == "video/mp4"
    assert TestClient(app).get(f"/sessions/{meeting.id}/recording").status_code == 404
    assert TestClient(app).get(f"/api/v1/sessions/{meeting.id}/recording").status_code == 404
    clock.freeze(moment)
    anonymous = TestClient(app)
    assert anonymous.get(f"/sessions/{meeting.id}/recording").content == MP4
    api = anonymous.get(f"/api/v1/sessions/{meeting.id}").json()
    assert api["recording"]["url"] == f"/api/v1/sessions/{meeting.id}/recording" and api["recording"]["size"] == len(
        MP4
    )
    assert anonymous.get(api["recording"]["url"]).content == MP4
    # Removing the file leaves no recording.
    assert save_recording(client, meeting, {"audience": "public", "remove_file": "1"}).status_code == 303
    assert anonymous.get(f"/sessions/{meeting.id}/recording").status_code == 404


@pytest.mark.parametrize("who,status", [(None, 303), ("rodante@example.org", 403), ("almere@example.org", 403)])
def test_only_admins_set_a_recording(app, db, meeting, who, status):
    client = browser(app, who)
    data = {"recording_url": "https://video.example.org/1", "audience": "public"}
    response = post_form(
        client, f"/admin/sessions/{meeting.id}/recording", data, page="/login" if who is None else "/account"
    )
    assert response.status_code == status
    db.refresh(meeting)
    assert meeting.recording_url is None and not meeting.recorded


# --- consent ---------------------------------------------------------------------------------------------------


def test_attendees_give_consent_and_an_objection_is_flagged_for_sdfl(app, client, db, meeting, world):
    session_page = f"/sessions/{meeting.id}"
    rodante = browser(app, "rodante@example.org")
    assert "Mag u worden opgenomen?" not in rodante.get(session_page).text  # not recorded: nothing to ask
    not_recorded = post_form(rodante, f"{session_page}/consent", {"consent": "no"}, page=session_page)
    assert not_recorded.status_code == 409

    login(client, "sdfl@example.org")
    page = f"/admin/sessions/{meeting.id}"
    form = {
        "number": str(meeting.number),
        "title": meeting.title,
        "starts_at": local(meeting.starts_at),
        "ends_at": local(meeting.ends_at),
        "location": meeting.location,
        "status": "held",
        "recorded": "1",
    }
    assert post_form(client, page, form, page=page).status_code == 303  # to be recorded, no recording yet
    assert "Mag u worden opgenomen?" in rodante.get(session_page).text
    answered = post_form(rodante, f"{session_page}/consent", {"consent": "no"}, page=session_page)
    assert answered.status_code == 303
    assert "u maakt bezwaar" in rodante.get(session_page).text
    participant = browser(app, world["participant"].email, factories.PASSWORD)
    assert post_form(participant, f"{session_page}/consent", {"consent": "yes"}, page=session_page).status_code == 303
    # Changing one's answer keeps one row.
    assert post_form(rodante, f"{session_page}/consent", {"consent": "yes"}, page=session_page).status_code == 303
    assert post_form(rodante, f"{session_page}/consent", {"consent": "no"}, page=session_page).status_code == 303
    rows = db.exec(select(RecordingConsent).where(RecordingConsent.session_id == meeting.id)).all()
    assert sorted((r.user_id, r.consent, r.source) for r in rows) == sorted(
        [(world["rodante@example.org"].id, False, "self"), (world["participant"].id, True, "self")]
    )
    # The public, a municipality and a declined provider are not asked and cannot answer.
    assert "Mag u worden opgenomen?" not in TestClient(app).get(session_page).text
    assert TestClient(app).post(f"{session_page}/consent", data={"consent": "yes"}).status_code in (303, 401, 403)
    for who in ("almere@example.org", "afgemeld@example.org"):
        other = browser(app, who)
        assert "Mag u worden opgenomen?" not in other.get(session_page).text
        assert post_form(other, f"{session_page}/consent", {"consent": "yes"}, page=session_page).status_code == 403

    # SDFL notes the colleague's objection made by phone.
    colleague = world["colleague"]
    noted = post_form(
        client,
        f"{page}/consents",
        {"user_id": str(colleague.id), "consent": "no", "note": "Gebeld op 19-11"},
        page=page,
    )
    assert noted.status_code == 303
    row = db.exec(select(RecordingConsent).where(RecordingConsent.user_id == colleague.id)).one()
    assert not row.consent and row.source == "staff" and row.note == "Gebeld op 19-11"
    admin_page = client.get(page).text
    attendance = admin_page[admin_page.index('id="attendance"') : admin_page.index('id="report"')]
    assert "Bezwaar tegen opname:" in attendance and "rodante@example.org" in attendance
    assert colleague.email in attendance
    assert "genoteerd door SDFL" in admin_page
    stranger = post_form(client, f"{page}/consents", {"user_id": "99999", "consent": "no"}, page=page)
    assert stranger.status_code == 422
    assert len(events(db, "session.recording_consent")) == 5


def test_the_save_the_date_of_a_recorded_session_asks_for_consent(client, db, meeting):
    login(client, "sdfl@example.org")
    start = (NOW + timedelta(days=30)).replace(hour=12)
    data = {
        "number": "2",
        "title": "Opgenomen sessie",
        "starts_at": local(start),
        "ends_at": local(start + timedelta(hours=3)),
        "location": "Lelystad",
        "status": "planned",
        "dialogue_id": str(meeting.dialogue_id),
    }
    assert (
        post_form(client, "/admin/sessions", {**data, "recorded": "1"}, page="/admin/sessions/new").status_code == 303
    )
    recorded = db.exec(select(DialogueSession).where(DialogueSession.number == 2)).one()
    assert recorded.recorded
    mails = db.exec(select(OutboxMessage).where(OutboxMessage.subject.contains("Opgenomen sessie"))).all()  # type: ignore[attr-defined]
    assert mails and all(f"/sessions/{recorded.id}#recording-consent" in m.body_text for m in mails)
    assert all("Deze sessie wordt opgenomen" in m.body_html for m in mails)
    assert "wordt opgenomen" not in " ".join(
        m.body_text for m in db.exec(select(OutboxMessage)).all() if "Opgenomen sessie" not in m.subject
    )
    # A session with a recording stays recorded: remove the recording first.
    page = f"/admin/sessions/{recorded.id}"
    assert (
        save_recording(
            client, recorded, {"recording_url": "https://video.example.org/2", "audience": "public"}
        ).status_code
        == 303
    )
    refused = post_form(client, page, {**data, "recorded": ""}, page=page)
    assert refused.status_code == 422 and 'id="error-recorded"' in refused.text
