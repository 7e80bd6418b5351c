"""Checking a Woo archive against its manifest: every file's SHA-256 and size, no file missing, none added.

Every problem names the file it is about; a file that cannot be read at all (a damaged entry) is a problem too.
The members are read in blocks, so an archive of any size is checked in little memory.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from app.archive.export import BLOCK, MANIFEST


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass(frozen=True)
class Verification:
    problems: list[Problem]
    checked: int  # files in the manifest that were read

    @property
    def ok(self) -> bool:
        return not self.problems


def _digest(archive: zipfile.ZipFile, name: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with archive.open(name) as handle:
        for block in iter(lambda: handle.read(BLOCK), b""):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def _manifest(archive: zipfile.ZipFile) -> tuple[list[dict[str, object]] | None, Problem | None]:
    try:
        content = json.loads(archive.read(MANIFEST))
        files = content["files"]
        if not isinstance(files, list) or not all(isinstance(f, dict) for f in files):
            raise ValueError("files is not a list of files")
    except KeyError:
        return None, Problem(MANIFEST, "ontbreekt of heeft geen lijst van bestanden")
    except (ValueError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
        return None, Problem(MANIFEST, f"kan niet gelezen worden ({exc})")
    return files, None


def verify_archive(path: Path) -> Verification:
    """Every problem of the archive at ``path``; none means every file is as the manifest says."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        return Verification([Problem(str(path), f"is geen leesbaar ZIP-bestand ({exc})")], 0)
    with archive:
        files, problem = _manifest(archive)
        if files is None:
            return Verification([problem] if problem else [], 0)
        problems: list[Problem] = []
        present = {info.filename for info in archive.infolist()}
        listed: set[str] = set()
        for entry in files:
            name, sha, size = str(entry.get("path", "")), entry.get("sha256"), entry.get("size")
            if name in listed:
                problems.append(Problem(name, "staat twee keer in het manifest"))
                continue
            listed.add(name)
            if name not in present:
                problems.append(Problem(name, "ontbreekt in het archief"))
                continue
            try:
                actual_sha, actual_size = _digest(archive, name)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
                problems.append(Problem(name, f"kan niet gelezen worden ({exc})"))
                continue
            if actual_size != size:
                problems.append(Problem(name, f"grootte {actual_size} bytes, volgens het manifest {size}"))
            if actual_sha != sha:
                problems.append(Problem(name, f"SHA-256 {actual_sha}, volgens het manifest {sha}"))
        for name in sorted(present - listed - {MANIFEST}):
            problems.append(Problem(name, "staat niet in het manifest"))
        return Verification(problems, len(listed))
