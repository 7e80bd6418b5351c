"""Files (documents, recordings) kept in the data directory, addressed by their SHA-256, and the clean name an
upload is kept under."""

from __future__ import annotations

import hashlib
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from app.config import get_settings

MAX_FILENAME = 255


@dataclass(frozen=True)
class StoredFile:
    path: str  # relative to the data directory
    sha256: str
    size: int


def store_bytes(content: bytes, *, data_dir: Path | None = None) -> StoredFile:
    """Write ``content`` once (same content, same file) and return where it is."""
    base = data_dir or get_settings().data_dir
    digest = hashlib.sha256(content).hexdigest()
    relative = Path("files") / digest[:2] / digest
    target = base / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        tmp.write_bytes(content)
        os.replace(tmp, target)
    return StoredFile(path=relative.as_posix(), sha256=digest, size=len(content))


def open_path(relative: str, *, data_dir: Path | None = None) -> Path:
    return (data_dir or get_settings().data_dir) / relative


def clean_filename(name: str) -> str:
    """The name without any path, control characters or surrounding blanks, at most 255 characters.

    A browser may send a full path (old Windows browsers do) and anyone can send ``../``; the name is only
    ever shown and offered back as the download's name, but it must not carry a path or break a header.
    """
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    if base in ("", ".", ".."):
        return ""
    if len(base) > MAX_FILENAME:
        suffix = PurePosixPath(base).suffix
        suffix = suffix if len(suffix) <= 10 else ""
        base = base[: MAX_FILENAME - len(suffix)] + suffix
    return base


def store_file(source: Path, *, data_dir: Path | None = None) -> StoredFile:
    """Move the file at ``source`` (in the data directory, so the move is a rename) into the store, read in
    blocks: large files (the Woo archive) are never held in memory. The same content already stored is kept."""
    base = data_dir or get_settings().data_dir
    digest = hashlib.sha256()
    size = 0
    with source.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    sha = digest.hexdigest()
    relative = Path("files") / sha[:2] / sha
    target = base / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        source.unlink()
    else:
        os.replace(source, target)
    return StoredFile(path=relative.as_posix(), sha256=sha, size=size)
