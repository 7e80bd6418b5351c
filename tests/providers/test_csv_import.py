"""The CSV import of providers and contact persons: all or nothing, every bad row listed with its line."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.models import AuditEvent, OutboxMessage, Provider, ProviderMunicipality, User
from app.providers import csv_import
from tests import factories
from tests.helpers import assert_problem, key_headers

GOOD = """naam;website;omvang;doelgroepen;gemeenten;buiten_flevoland;contact_naam;contact_email
Horizon Jeugdzorg;www.horizon.example.org;groot;LVB|ggz;Almere|0303;ja;Sanne de Vries;sanne@horizon.example.org
Horizon Jeugdzorg;;;;;;Piet Bakker;piet@horizon.example.org
De Kleine Haven;https://dekleinehaven.example.org;klein;Autisme;Urk;nee;Mo Ali;mo@haven.example.org
"""


@pytest.fixture(autouse=True)
def municipalities(db) -> None:
    factories.municipality(db, code="0034", name="Almere")
    factories.municipality(db, code="0303", name="Dronten")
    factories.municipality(db, code="0184", name="Urk")
    db.commit()


@pytest.fixture
def admin_key(db) -> dict[str, str]:
    return key_headers(db, factories.admin(db))


def _post(client, headers, text: str, **params):
    return client.post(
        "/api/v1/providers/import",
        headers={**headers, "Content-Type": "text/csv"},
        content=text.encode("utf-8"),
        params=params,
    )


def test_good_file_creates_providers_and_contacts_with_mails(client, db, admin_key):
    response = _post(client, admin_key, GOOD)
    assert response.status_code == 201, response.text
    assert response.json() == {"created": 2, "updated": 0, "contacts": 3}
    horizon = db.exec(select(Provider).where(Provider.name == "Horizon Jeugdzorg")).one()
    assert horizon.size == "large" and horizon.tags == ["lvb", "ggz"] and horizon.active_outside_flevoland
    assert horizon.website == "https://www.horizon.example.org"
    links = db.exec(select(ProviderMunicipality).where(ProviderMunicipality.provider_id == horizon.id)).all()
    assert len(links) == 2
    contacts = db.exec(select(User).where(User.provider_id == horizon.id).order_by(User.email)).all()
    assert [(u.email, u.role) for u in contacts] == [
        ("piet@horizon.example.org", "provider"),
        ("sanne@horizon.example.org", "provider"),
    ]
    assert len(db.exec(select(OutboxMessage)).all()) == 3
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "provider.imported")).one()
    assert len(db.exec(select(AuditEvent).where(AuditEvent.action == "user.created")).all()) == 3


def test_comma_separated_with_bom_and_english_columns_and_no_mail(client, db, admin_key):
    text = (
        "\ufeffname,size,tags,municipalities,contact_name,contact_email\n"
        "Zon,medium,lvb;jo,Almere,Zo,zo@zon.example.org\n"
    )
    response = _post(client, admin_key, text, invite="false")
    assert response.status_code == 201, response.text
    zon = db.exec(select(Provider).where(Provider.name == "Zon")).one()
    assert zon.tags == ["lvb", "jo"]
    assert db.exec(select(OutboxMessage)).first() is None


def test_existing_provider_is_updated_not_duplicated(client, db, admin_key):
    existing = factories.provider(db, name="Horizon Jeugdzorg", slug="horizon-jeugdzorg", invitation=None)
    factories.provider_user(db, provider_=existing, email="sanne@horizon.example.org")
    db.commit()
    response = _post(client, admin_key, GOOD)
    assert response.status_code == 201, response.text
    assert response.json() == {"created": 1, "updated": 1, "contacts": 2}
    assert len(db.exec(select(Provider).where(Provider.name == "Horizon Jeugdzorg")).all()) == 1
    db.refresh(existing)
    assert existing.size == "large"


def test_one_bad_row_imports_nothing_and_lists_every_bad_row(client, db, admin_key):
    factories.provider_user(db, email="taken@elders.example.org")
    db.commit()
    text = (
        "naam;omvang;doelgroepen;gemeenten;buiten_flevoland;contact_naam;contact_email\n"
        "Goed;klein;lvb;Almere;ja;A;a@goed.example.org\n"
        ";klein;;;;B;b@x.example.org\n"
        "Fout 1;enorm;onbekend;Atlantis;misschien;C;geen-email\n"
        "Fout 2;;;;;D;taken@elders.example.org\n"
    )
    response = _post(client, admin_key, text)
    body = assert_problem(response, 422)
    by_line = {}
    for error in body["errors"]:
        by_line.setdefault(error["line"], []).append(error["field"])
    assert by_line == {
        3: ["line 3: naam"],
        4: [
            "line 4: omvang",
            "line 4: doelgroepen",
            "line 4: gemeenten",
            "line 4: buiten_flevoland",
            "line 4: contact_email",
        ],
        5: ["line 5: contact_email"],
    }
    assert "andere organisatie" in str(body["errors"])
    assert db.exec(select(Provider)).all() == [db.exec(select(Provider)).one()]  # only the factory's provider
    assert not db.exec(select(User).where(User.email == "a@goed.example.org")).first()


def test_same_email_for_two_providers_and_conflicting_rows(client, admin_key):
    text = (
        "naam,omvang,contact_email\n"
        "Een,klein,x@voorbeeld.example.org\n"
        "Twee,klein,x@voorbeeld.example.org\n"
        "Een,groot,y@voorbeeld.example.org\n"
    )
    body = assert_problem(_post(client, admin_key, text), 422)
    assert [e["line"] for e in body["errors"]] == [3, 4]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "leeg"),
        (b"website;omvang\nx;klein\n", "naam"),
        (b"naam\n" + b"\xff\xfe bad", "UTF-8"),
        (b"naam\n" + b"A\n" * (csv_import.MAX_ROWS + 1), "regels"),
        (b"naam\n" + b"A" * csv_import.MAX_BYTES, "MB"),
        (b"naam;contact_email\n", "geen regels"),
    ],
)
def test_unreadable_files_are_refused(client, admin_key, content, message):
    response = client.post(
        "/api/v1/providers/import", headers={**admin_key, "Content-Type": "text/csv"}, content=content
    )
    body = assert_problem(response, 422)
    assert message in body["errors"][0]["message"]


def test_multipart_upload_works_and_roles_are_checked(client, db, admin_key):
    response = client.post(
        "/api/v1/providers/import", headers=admin_key, files={"file": ("aanbieders.csv", GOOD.encode(), "text/csv")}
    )
    assert response.status_code == 201, response.text
    assert_problem(_post(client, {}, GOOD), 401)
    assert_problem(_post(client, key_headers(db, factories.admin(db), scope="read"), GOOD), 403)
    assert_problem(_post(client, key_headers(db, factories.municipality_user(db)), GOOD), 403)
