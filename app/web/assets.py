"""Static files with their content's hash in the URL, cached by browsers for a year.

At start-up every file under ``app/static`` is read once and hashed (``Assets``). Templates link a file with
``static_url("dialoog.css")``, which gives ``/static/dialoog.<hash>.css``: the hash is the first 12 hex digits of
the SHA-256 of the file's bytes, so a changed file gets a new URL and no browser keeps the old one.

``HashedStaticFiles`` serves ``/static``: a URL whose hash is the file's current hash gets ``Cache-Control:
public, max-age=31536000, immutable`` (the bytes behind that URL never change). The plain name
(``/static/dialoog.css``) and a hash that is no longer current (a page cached from before a deploy) get the
current file with ``no-cache``: the browser may keep it but asks again (ETag, 304) before using it.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

PREFIX = "/static/"
HASH_LENGTH = 12
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# name.<hash>.ext, or name.<hash> for a file without an extension
HASHED = re.compile(r"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{12})(?P<ext>\.[^./]+)?$")  # 12: HASH_LENGTH


def hashed_name(path: str, digest: str) -> str:
    """``css/site.css`` with ``digest`` → ``css/site.<digest>.css``."""
    folder, _, name = path.rpartition("/")
    stem, dot, ext = name.rpartition(".")
    named = f"{stem}.{digest}.{ext}" if dot and stem else f"{name}.{digest}"
    return f"{folder}/{named}" if folder else named


class Assets:
    """The hashes of the files under ``directory``, read once."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.hashes: dict[str, str] = {}
        for file in sorted(directory.rglob("*")):
            if file.is_file():
                digest = hashlib.sha256(file.read_bytes()).hexdigest()[:HASH_LENGTH]
                self.hashes[file.relative_to(directory).as_posix()] = digest

    def url(self, path: str) -> str:
        """The URL of the file ``path`` (relative to the static directory) with its hash."""
        path = path.lstrip("/")
        digest = self.hashes.get(path)
        if digest is None:
            raise LookupError(f"no static file {path!r}")
        return PREFIX + hashed_name(path, digest)

    def original(self, requested: str) -> tuple[str, bool]:
        """The file a requested path names, and whether the request carries that file's current hash."""
        if requested in self.hashes:
            return requested, False
        folder, _, name = requested.rpartition("/")
        match = HASHED.match(name)
        if not match:
            return requested, False
        original = match["stem"] + (match["ext"] or "")
        original = f"{folder}/{original}" if folder else original
        if original not in self.hashes:
            return requested, False
        return original, self.hashes[original] == match["hash"]


class HashedStaticFiles(StaticFiles):
    """StaticFiles that understands hashed names and says how long a file may be cached."""

    def __init__(self, *, assets: Assets) -> None:
        super().__init__(directory=assets.directory)
        self.assets = assets

    async def get_response(self, path: str, scope: Scope) -> Response:
        original, current = self.assets.original(path.replace(os.sep, "/"))
        response = await super().get_response(original, scope)
        response.headers["cache-control"] = IMMUTABLE if current else REVALIDATE
        return response
