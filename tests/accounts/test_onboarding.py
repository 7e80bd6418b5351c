"""The whole onboarding journey over HTTP with a real SMTP server: invite, mail, set password, sign in,
see what the role allows, sign out."""

from __future__ import annotations

import re

from app.mail.service import send_pending
from tests import factories
from tests.helpers import csrf_from, login, post_form


def test_invited_provider_sets_a_password_signs_in_and_out(client, db, smtp, smtp_settings):
    collector, _port = smtp
    # An admin invites a new contact person for Rodante.
    rodante = factories.provider(db, name="Rodante", slug="rodante")
    admin = factories.admin(db)
    db.commit()
    login(client, admin.email, factories.PASSWORD)
    response = post_form(
        client,
        "/admin/users",
        {
            "email": "j.devries@rodante.example.org",
            "name": "Jan de Vries",
            "role": "provider",
            "provider_id": str(rodante.id),
        },
        page="/admin/users/new",
    )
    assert response.status_code == 303
    post_form(client, "/logout", page="/admin/users")

    # The worker delivers the invitation to the SMTP server.
    report = send_pending(db, settings=smtp_settings, commit=False)
    assert report.sent >= 1
    mail = next(m for m in collector.messages if m["To"] == "j.devries@rodante.example.org")
    assert "Dialoog" in mail["Subject"]
    text = mail.get_body(preferencelist=("plain",)).get_content()
    html = mail.get_body(preferencelist=("html",)).get_content()
    link = re.search(r"https?://\S+/account/set-password/[\w-]+", text).group(0)
    assert link in html
    path = link.split("://", 1)[1].split("/", 1)[1]

    # The link sets a password.
    form = client.get(f"/{path}")
    assert form.status_code == 200 and "j.devries@rodante.example.org" in form.text
    done = client.post(
        f"/{path}",
        data={
            "password": "zomer aan het IJsselmeer",
            "password_confirm": "zomer aan het IJsselmeer",
            "csrf_token": csrf_from(form.text),
        },
        follow_redirects=False,
    )
    assert done.status_code == 303

    # The user signs in and sees what a provider may do, and not more.
    assert (
        login(
            client, "j.devries@rodante.example.org", password="zomer aan het IJsselmeer", next_url="/account"
        ).headers["location"]
        == "/account"
    )
    account = client.get("/account").text
    assert "Jan de Vries" in account and "Rodante" in account
    assert "Reageren op voorstellen" in account
    assert "uitnodiging voor uw organisatie beantwoorden" in account
    assert "Alle reacties beoordelen" not in account and "gebruikers en API-sleutels beheren" not in account
    assert 'href="/admin/users"' not in account
    assert client.get("/admin/users").status_code == 403

    # And signs out.
    assert post_form(client, "/logout", page="/account").status_code == 303
    assert client.get("/account", follow_redirects=False).status_code == 303
