"""Throttles on signing in and on password resets (issue 14, points 6 and 8), over HTTP to the real app."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select

from app.kit import clock
from app.models import LoginAttempt, OutboxMessage
from tests import factories
from tests.helpers import csrf_from, login, post_form


@pytest.fixture(autouse=True)
def people(db) -> None:
    """The accounts these tests ask resets for (the demo's addresses and password, made by factories)."""
    factories.accounts(
        db,
        "rodante@example.org",
        "almere@example.org",
        "dronten@example.org",
        "urk@example.org",
        "noordoostpolder@example.org",
    )
    db.commit()


OWNER = "rodante@example.org"
NEW_PASSWORD = "een nieuw en lang wachtwoord"


def request_reset(client: TestClient, email: str):
    return post_form(client, "/password-reset", {"email": email}, page="/password-reset")


def mails_to(db, address: str) -> list[OutboxMessage]:
    return list(db.exec(select(OutboxMessage).where(OutboxMessage.to_address == address)).all())


@contextmanager
def other_client(app, host: str) -> Iterator[TestClient]:
    """A browser at another address (the connection's address is the client's)."""
    with TestClient(app, base_url="http://testserver", client=(host, 50000)) as c:
        yield c


def reset_password_via_mail(client: TestClient, db, email: str, password: str = NEW_PASSWORD) -> None:
    """Ask for a reset, follow the link from the queued mail and choose ``password``."""
    assert request_reset(client, email).status_code == 200
    mail = mails_to(db, email)[-1]
    path = re.search(r"/account/set-password/[\w-]+", mail.body_text).group(0)
    form = client.get(path)
    assert form.status_code == 200
    done = client.post(
        path,
        data={"password": password, "password_confirm": password, "csrf_token": csrf_from(form.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303


# --- password reset -------------------------------------------------------------------------------


def test_25_reset_requests_for_one_address_get_429_before_the_25th_and_queue_three_mails(client, db):
    statuses = [request_reset(client, "dronten@example.org").status_code for _ in range(25)]
    assert statuses[:3] == [200] * 3
    assert statuses[3:] == [429] * 22
    assert len(mails_to(db, "dronten@example.org")) == 3


def test_a_refused_reset_is_the_form_again_with_a_dutch_message_and_retry_after(client, db):
    clock.freeze(clock.now())
    for _ in range(3):
        request_reset(client, "urk@example.org")
    refused = request_reset(client, "urk@example.org")
    assert refused.status_code == 429
    assert 0 < int(refused.headers["retry-after"]) <= 3600
    assert "Er zijn al te veel links aangevraagd voor dit e-mailadres" in refused.text
    assert 'value="urk@example.org"' in refused.text and 'name="csrf_token"' in refused.text
    assert len(mails_to(db, "urk@example.org")) == 3
    # An unknown address is throttled just the same: the 429 says nothing about the address.
    for _ in range(3):
        assert request_reset(client, "niemand@example.org").status_code == 200
    assert request_reset(client, "niemand@example.org").status_code == 429
    # After the hour a new link can be asked for.
    clock.advance(timedelta(seconds=int(refused.headers["retry-after"])))
    assert request_reset(client, "urk@example.org").status_code == 200
    assert len(mails_to(db, "urk@example.org")) == 4


def test_one_client_asking_for_many_addresses_is_limited(app, db):
    with other_client(app, "203.0.113.20") as client:
        statuses = [request_reset(client, f"gok{i}@example.org").status_code for i in range(21)]
        assert statuses == [200] * 20 + [429]
        assert request_reset(client, "almere@example.org").status_code == 429
    assert mails_to(db, "almere@example.org") == []
    with other_client(app, "198.51.100.20") as elsewhere:  # another client is not affected
        assert request_reset(elsewhere, "almere@example.org").status_code == 200
    assert len(mails_to(db, "almere@example.org")) == 1


def _statements_until_the_answer(app, count_queries, email: str) -> tuple[list[str], list[str]]:
    """SQL run before the answer was sent, and all SQL of the request (the work after the answer too)."""
    at_answer: list[list[str]] = []

    with count_queries() as counter:

        async def watched(scope, receive, send):
            async def watched_send(message):
                if message["type"] == "http.response.body" and not message.get("more_body"):
                    at_answer.append(list(counter.statements))
                await send(message)

            await app(scope, receive, watched_send)

        with TestClient(watched, base_url="http://testserver") as client:
            token = csrf_from(client.get("/password-reset").text)
            del counter.statements[:]
            at_answer.clear()
            response = client.post("/password-reset", data={"email": email, "csrf_token": token})
            assert response.status_code == 200
        return at_answer[0], list(counter.statements)


def test_known_and_unknown_addresses_run_the_same_sql_before_the_answer(app, db, count_queries):
    known, known_all = _statements_until_the_answer(app, count_queries, "noordoostpolder@example.org")
    unknown, unknown_all = _statements_until_the_answer(app, count_queries, "onbekend-adres@example.org")
    assert known == unknown  # the same statements, in the same order: nothing to time
    assert len(known_all) > len(known) and len(unknown_all) > len(unknown)  # the lookup etc. came after it ...
    assert len(mails_to(db, "noordoostpolder@example.org")) == 1  # ... and were done
    assert mails_to(db, "onbekend-adres@example.org") == []


# --- signing in -----------------------------------------------------------------------------------


def test_an_attacker_elsewhere_does_not_lock_the_owner_out(app, client, db):
    with other_client(app, "203.0.113.66") as attacker:
        statuses = [login(attacker, OWNER, password=f"gok-{i}").status_code for i in range(12)]
        assert statuses[:5] == [400] * 5 and set(statuses[5:]) == {429}
    assert login(client, OWNER).status_code == 303  # the owner, from their own client


def test_the_attacking_client_waits_ever_longer(app, db):
    clock.freeze(clock.now())
    with other_client(app, "203.0.113.67") as attacker:
        for i in range(5):
            assert login(attacker, OWNER, password=f"gok-{i}").status_code == 400
        waits = []
        for i in range(6):
            refused = login(attacker, OWNER, password=f"nog-{i}")
            assert refused.status_code == 429
            waits.append(int(refused.headers["retry-after"]))
            clock.advance(timedelta(seconds=waits[-1] - 1))
            assert login(attacker, OWNER, password=f"te-vroeg-{i}").status_code == 429  # not a second too early
            clock.advance(timedelta(seconds=1))
            assert login(attacker, OWNER, password=f"op-tijd-{i}").status_code == 400
        assert waits == [60, 120, 240, 480, 900, 900]  # doubles, up to 15 minutes
        refused = login(attacker, OWNER)  # even the right password waits on this client
        assert refused.status_code == 429
        assert "Te veel mislukte inlogpogingen" in refused.text and "15 minuten" in refused.text
        assert "Wachtwoord vergeten" in refused.text and 'href="/password-reset"' in refused.text
    failures = db.exec(select(LoginAttempt).where(LoginAttempt.email == OWNER)).all()
    assert len(failures) == 11  # refused attempts are not tried, so not counted


def test_many_clients_guessing_one_address_slow_everyone_down_until_a_reset(app, client, db):
    clock.freeze(clock.now())
    for i in range(100):  # a distributed guess: 100 clients, one try each
        db.add(LoginAttempt(at=clock.now() - timedelta(seconds=10), email=OWNER, ip=f"10.1.{i // 250}.{i % 250}"))
    db.commit()  # release the test's savepoint, so a request that rolls back keeps it
    refused = login(client, OWNER)
    assert refused.status_code == 429  # the address itself now waits, whoever asks
    assert "Wachtwoord vergeten" in refused.text
    reset_password_via_mail(client, db, OWNER)
    assert login(client, OWNER, password=NEW_PASSWORD).status_code == 303


def test_a_password_reset_clears_the_failures_of_the_address(client, db):
    clock.freeze(clock.now())
    for i in range(5):
        assert login(client, OWNER, password=f"vergeten-{i}").status_code == 400
    assert login(client, OWNER).status_code == 429
    reset_password_via_mail(client, db, OWNER)
    assert login(client, OWNER, password=NEW_PASSWORD).status_code == 303
    failures = select(LoginAttempt).where(LoginAttempt.email == OWNER, col(LoginAttempt.success).is_(False))
    assert db.exec(failures).all() == []
