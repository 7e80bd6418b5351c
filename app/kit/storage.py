"""Files (documents) kept in the data directory, addressed by their SHA-256."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from app.config import get_settings


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
