"""The Woo archive on the trajectory's administration page: asked for and downloaded by admins only, built at once
for a small trajectory, by the scheduler (with its progress shown) for a large one."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from sqlmodel import func, select

from app.archive import service
from app.archive.service import export_to_file
from app.archive.verify import verify_archive
from app.cli import SCHEDULED_TASKS
from app.models import ArchiveExport, ArchiveStatus
from app.policy import Principal
from tests.archive.world import EMAIL, build_world, members
from tests.helpers import post_form


def test_admin_asks_for_the_archive_and_downloads_it(db, as_admin, tmp_path):
    world = build_world(db)
    slug = world.dialogue.slug
    page = as_admin.get(f"/admin/dialogues/{slug}")
    assert page.status_code == 200
    assert 'id="archive"' in page.text and f'action="/admin/dialogues/{slug}/archive"' in page.text

    asked = post_form(as_admin, f"/admin/dialogues/{slug}/archive", page=f"/admin/dialogues/{slug}")
    assert asked.status_code == 303
    status = as_admin.get(asked.headers["location"])
    assert status.status_code == 200
    assert "Archief downloaden" in status.text and "hx-trigger" not in status.text  # small: built at once

    job = db.get(ArchiveExport, int(asked.headers["location"].rsplit("/", 1)[1]))
    assert job.status == ArchiveStatus.done
    download = as_admin.get(f"/admin/dialogues/{slug}/archive/{job.id}/download")
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/zip"
    assert f"woo-archief-{slug}-" in download.headers["content-disposition"]
    saved = tmp_path / "download.zip"
    saved.write_bytes(download.content)
    assert verify_archive(saved).ok
    assert len(json.loads(members(download.content)["gegevens/reacties.json"])) == len(world.comments)
    # the trajectory page lists it with its download
    assert f"/admin/dialogues/{slug}/archive/{job.id}/download" in as_admin.get(f"/admin/dialogues/{slug}").text


def test_without_personal_data_from_the_page(db, as_admin):
    world = build_world(db)
    slug = world.dialogue.slug
    asked = post_form(
        as_admin,
        f"/admin/dialogues/{slug}/archive",
        {"without_personal_data": "1"},
        page=f"/admin/dialogues/{slug}",
    )
    location = asked.headers["location"]
    content = as_admin.get(f"{location}/download").content
    assert "zonder-persoonsgegevens" in as_admin.get(f"{location}/download").headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert not EMAIL.search(archive.read("gegevens/personen.json"))


def test_a_large_trajectory_is_built_by_the_scheduler_with_its_progress_shown(db, as_admin):
    world = build_world(db)
    slug = world.dialogue.slug
    job = service.request_archive(db, Principal(user=world.admin), world.dialogue, personal_data=True, at_once=False)
    db.commit()
    assert job.status == ArchiveStatus.queued
    waiting = as_admin.get(f"/admin/dialogues/{slug}/archive/{job.id}")
    assert waiting.status_code == 200
    assert "<progress" in waiting.text and 'hx-trigger="every 2s"' in waiting.text
    assert "Opnieuw kijken" in waiting.text  # without JavaScript: a link to look again
    fragment = as_admin.get(f"/admin/dialogues/{slug}/archive/{job.id}", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text and "<progress" in fragment.text
    assert as_admin.get(f"/admin/dialogues/{slug}/archive/{job.id}/download").status_code == 409

    assert service.build_queued_archives in SCHEDULED_TASKS
    assert service.build_queued_archives(db) == 1
    assert service.build_queued_archives(db) == 0  # nothing left
    db.refresh(job)
    assert (job.status, job.progress, job.step) == (ArchiveStatus.done, 100, "klaar")
    done = as_admin.get(f"/admin/dialogues/{slug}/archive/{job.id}", headers={"HX-Request": "true"})
    assert "Archief downloaden" in done.text and "hx-trigger" not in done.text
    assert as_admin.get(f"/admin/dialogues/{slug}/archive/{job.id}/download").status_code == 200


@pytest.mark.parametrize("role", ["municipality", "provider", "public"])
def test_only_admins_ask_for_or_download_an_archive(db, browser, role):
    world = build_world(db)
    slug = world.dialogue.slug
    job = service.request_archive(db, Principal(user=world.admin), world.dialogue, personal_data=True)
    db.commit()
    client = browser(None if role == "public" else role)
    for path in (f"/admin/dialogues/{slug}/archive/{job.id}", f"/admin/dialogues/{slug}/archive/{job.id}/download"):
        response = client.get(path, follow_redirects=False)
        if role == "public":
            assert response.status_code == 303 and response.headers["location"].startswith("/login")
        else:
            assert response.status_code == 403
        assert "application/zip" not in response.headers.get("content-type", "")
    posted = post_form(client, f"/admin/dialogues/{slug}/archive", page="/login" if role == "public" else "/account")
    if role == "public":
        assert posted.status_code == 303 and posted.headers["location"].startswith("/login")
    else:
        assert posted.status_code == 403
    assert db.exec(select(func.count()).select_from(ArchiveExport)).one() == 1


def test_an_unknown_archive_is_not_found(db, as_admin):
    world = build_world(db)
    other_job = service.request_archive(db, Principal(user=world.admin), world.other, personal_data=True)
    db.commit()
    slug = world.dialogue.slug
    assert as_admin.get(f"/admin/dialogues/{slug}/archive/{other_job.id}").status_code == 404  # another trajectory's
    assert as_admin.get(f"/admin/dialogues/{slug}/archive/99999999999").status_code == 404
    assert as_admin.get("/admin/dialogues/bestaat-niet/archive/1").status_code == 404


def test_the_download_is_the_same_archive_as_the_command_line_makes_in_any_language(db, as_admin, tmp_path):
    world = build_world(db)
    slug = world.dialogue.slug
    assert as_admin.get(f"/admin/dialogues/{slug}?lang=en").status_code == 200  # the admin reads in English
    asked = post_form(as_admin, f"/admin/dialogues/{slug}/archive", page=f"/admin/dialogues/{slug}")
    downloaded = as_admin.get(f"{asked.headers['location']}/download").content
    assert downloaded == export_to_file(db, world.dialogue, tmp_path / "cli.zip").path.read_bytes()
