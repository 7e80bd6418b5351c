"""Fuzz the JSON API with schemathesis, every check: no 5xx, every answer as the OpenAPI document says, valid data
accepted and invalid data refused, 405 with Allow, auth enforced, and stateful sequences along the document's links.

Starts ``dialoog serve --demo --no-worker`` on a free loopback port with a fresh SQLite database in a temporary
data dir, creates a write-scope API key for a provider user, a municipality user and the admin, and runs
``schemathesis run --checks all`` against ``/api/v1/openapi.json`` once per key, over every operation and every
phase. fuzz_hooks.py steers the schema-valid cases of writes to data the business rules accept (ids that exist,
consistent moments), so that creates succeed and the stateful phase follows the document's links from them to the
reads, edits (with the ETag as If-Match) and deletes of what was created. Exits non-zero when any run fails; the
server is stopped in all cases. At the end it prints how many successful writes (2xx POST/PUT/PATCH/DELETE) each
operation made, from schemathesis' cassettes.

    .venv/bin/python tests/fuzz/api_fuzz.py [--database-url postgresql://...] [--max-examples N] [--seed S]

With ``--database-url`` the server runs on that database instead; it must be empty (the demo data is loaded into
it and the fuzzer changes it). Not a pytest module: its name does not start with ``test_``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent  # dialoog and schemathesis are installed beside this interpreter
REPO = Path(__file__).resolve().parents[2]

ADMIN = "sdfl@example.org"
# A provider's user that may comment on an open proposal: the demo's trajectory windows are closed by now, and
# 's Heeren Loo's user is an approved participant of the consultation, whose window is open.
PROVIDER = "s-heeren-loo@example.org"
MUNICIPALITY = "almere@example.org"

# Every check. Where the API's business rules rightly refuse data that the schema alone says is valid,
# positive_data_acceptance is told which refusals are expected (schemathesis.toml, written by ``config_text``):
#   303: a session's recording kept elsewhere is a redirect to it;
#   400: a raw upload (the CSV import) that is not UTF-8 text cannot be read;
#   401/403: a key may be refused an operation by its owner's role (a provider listing users);
#   404: ids in generated data rarely name an existing (or visible) resource;
#   409: business state: a comment window that is closed, a name or slug already taken, a record with history;
#   412/428: writes need the current ETag as If-Match, which generated data cannot know;
#   422: rules beyond the schema (an Idempotency-Key reused for another body, a reply with a kind, a CSV with bad
#        rows, a moment before another);
#   429: the write budget of a key (switched off for this server, see main) would be spent by the fuzzer itself.
CHECKS = "all"
EXPECTED_FOR_VALID_DATA = ["2xx", "303", "304", "400", "401", "403", "404", "409", "412", "422", "428", "429"]
# Every phase, each only talking to the local server: the schema's examples, boundary and invalid values
# (coverage), random data (fuzzing), and sequences of calls along links inferred from the answers (stateful).
PHASES = "examples,coverage,fuzzing,stateful"
DEFAULT_MAX_EXAMPLES = 40  # test cases per operation: both runs take under 2 minutes on a 2-core machine
DEFAULT_SEED = 20250107
STATEFUL_SCENARIOS = 300
STATEFUL_STEPS = 10


@dataclass
class RunResult:
    who: str
    returncode: int
    seconds: float


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped with exit code {server.returncode} before it answered")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    raise RuntimeError(f"the server did not answer {url} within {timeout:.0f}s")


def create_key(env: dict[str, str], email: str) -> str:
    """A write-scope key for ``email`` through the CLI; the key is alone on the last line of its output."""
    out = subprocess.run(
        [str(BIN / "dialoog"), "create-api-key", "--email", email, "--scope", "write", "--name", "schemathesis"],
        env=env,
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip().splitlines()[-1]


def fuzz_context(base: str, key: str, *, provider: bool) -> dict[str, Any]:
    """What fuzz_hooks.py steers positive cases to, as this key sees it: the sections open for comments now (for a
    provider's user only where it takes part: a trajectory its provider accepted the invitation to, or the
    consultation, where the demo's provider user is an approved participant), the trajectory (sessions,
    proposals, invitations), the dialogues, sessions (with their times), proposals, comments, providers and
    municipalities, and the key's own municipality."""

    def get(path: str) -> Any:
        request = urllib.request.Request(f"{base}/api/v1{path}", headers={"Authorization": f"Bearer {key}"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return json.load(response)
        except urllib.error.HTTPError:
            return {"items": []}  # not for this key

    def items(path: str) -> list[dict[str, Any]]:
        found = get(path)
        return found["items"] if isinstance(found, dict) else found

    me = get("/me")["user"]
    dialogues = items("/dialogues?page_size=100")
    taking_part = {i["dialogue_id"] for i in items("/invitations?page_size=200") if i["status"] == "accepted"}
    taking_part |= {d["id"] for d in dialogues if d["kind"] == "consultation"}
    sections: list[int] = []
    proposals = items("/proposals?page_size=200")
    for proposal in proposals:
        if proposal.get("window") != "open" or proposal.get("current_version") is None:
            continue
        if provider and proposal["dialogue_id"] not in taking_part:
            continue
        found = items(f"/proposals/{proposal['id']}/versions/{proposal['current_version']}/sections?page_size=200")
        sections += [s["id"] for s in found]
    trajectory = next((d["id"] for d in dialogues if d["kind"] != "consultation"), None)
    return {
        "sections": sections,
        "trajectory": trajectory,
        "dialogues": sorted(taking_part) if provider else [d["id"] for d in dialogues],
        "sessions": [
            {"id": s["id"], "starts_at": s["starts_at"], "ends_at": s["ends_at"]}
            for s in items("/sessions?page_size=100")
        ],
        "proposals": [p["id"] for p in proposals],
        "comments": [c["id"] for c in items("/comments?page_size=50")],
        "providers": [p["id"] for p in items("/providers?page_size=100")],
        "municipalities": [m["id"] for m in items("/municipalities?page_size=100")],
        "municipality_id": me.get("municipality_id"),
    }


def config_text() -> str:
    expected = ", ".join(f'"{status}"' for status in EXPECTED_FOR_VALID_DATA)
    return (
        f"[checks.positive_data_acceptance]\nexpected-statuses = [{expected}]\n\n"
        # More and longer stateful scenarios than the other phases' cases per operation: the writes on what the
        # fuzzer created (edit, withdraw, review, delete) are only reached along the links.
        # Only the document's own links: the ones schemathesis would infer (over a thousand, from Location headers and
        # names) drown them, and the few scenarios then rarely follow a create to its edit or delete.
        f"[phases.stateful]\nmax-steps = {STATEFUL_STEPS}\n\n[phases.stateful.inference]\nalgorithms = []\n\n"
        f"[phases.stateful.generation]\nmax-examples = {STATEFUL_SCENARIOS}\n"
    )


WRITES = ("POST", "PUT", "PATCH", "DELETE")
_URI = re.compile(r"^    uri: '([^']*)'", re.M)
_METHOD = re.compile(r"^    method: '(\w+)'", re.M)
_CODE = re.compile(r"^      code: '(\d+)'", re.M)


def successful_writes(cassette: Path, paths: list[str]) -> dict[str, int]:
    """Per operation ("POST /comments"): the 2xx answers to writes recorded in a schemathesis VCR cassette."""
    counts: dict[str, int] = {}
    if not cassette.exists():
        return counts
    patterns = [(p, re.compile("^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(p)) + "$")) for p in paths]
    for chunk in cassette.read_text(errors="replace").split("- id:")[1:]:
        uri, method, code = _URI.search(chunk), _METHOD.search(chunk), _CODE.search(chunk)
        if not (uri and method and code):
            continue
        method_, status = method.group(1).upper(), int(code.group(1))
        if method_ not in WRITES or not 200 <= status < 300:
            continue
        path = urllib.parse.urlsplit(uri.group(1)).path.removeprefix("/api/v1")
        # The most specific template first: fixed paths before those with parameters.
        template = next((p for p, rx in sorted(patterns, key=lambda t: t[0].count("{")) if rx.match(path)), path)
        counts[f"{method_} {template}"] = counts.get(f"{method_} {template}", 0) + 1
    return counts


def phase_runs(phases: str) -> list[str]:
    """The stateful phase in a schemathesis run of its own, after the others: run after them in the same process it
    stops after a few dozen scenarios and rarely follows a create to its edit or delete; on its own it runs its
    hundreds."""
    names = [name for name in phases.split(",") if name]
    first = ",".join(name for name in names if name != "stateful")
    return [run for run in (first, "stateful" if "stateful" in names else "") if run]


def schemathesis_command(
    schema_url: str, key: str, *, max_examples: int, seed: int, config: Path, cassette: Path, phases: str = PHASES
) -> list[str]:
    return [
        str(BIN / "schemathesis"),
        "--config-file",
        str(config),
        "run",
        schema_url,
        "--checks",
        CHECKS,
        "--report",
        "vcr",
        "--report-vcr-path",
        str(cassette),
        "--phases",
        phases,
        "--max-examples",
        str(max_examples),
        "--seed",
        str(seed),
        "--generation-database",
        "none",  # the same seed gives the same run: no examples remembered from earlier runs
        # One request at a time: with a fixed seed the run is the same every time.
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--no-color",
        "--header",
        f"Authorization: Bearer {key}",
    ]


def show(command: list[str]) -> str:
    """The command line for the log, with the key hidden."""
    return " ".join("'Authorization: Bearer <key>'" if a.startswith("Authorization:") else a for a in command)


def server_errors(log: Path, limit: int = 60) -> list[str]:
    """Why the server answered 5xx: each "unhandled error on METHOD PATH" and the exception that ended each
    traceback (its first unindented line), once each; the whole log stays in the data dir."""
    found: list[str] = []
    in_traceback = False
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("Traceback"):
            in_traceback = True
        elif in_traceback and line and not line[0].isspace():
            in_traceback = line.startswith("The above exception") or line.startswith("During handling")
            if not in_traceback and line not in found:
                found.append(line)
        elif "unhandled error on" in line:
            message = line[line.index("unhandled error on") :]
            if message not in found:
                found.append(message)
    return found[:limit]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="run the server on this (empty) database instead of a fresh SQLite")
    parser.add_argument("--max-examples", type=int, default=DEFAULT_MAX_EXAMPLES, help="test cases per operation")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--phases", default=PHASES, help=f"schemathesis phases (default {PHASES})")
    parser.add_argument("--keep", action="store_true", help="keep the data dir (database, log, cassettes)")
    args = parser.parse_args(argv)
    if not (BIN / "schemathesis").exists():
        print(f"schemathesis is not installed beside {sys.executable}: pip install -e '.[test]'", file=sys.stderr)
        return 2

    data_dir = Path(tempfile.mkdtemp(prefix="dialoog-fuzz-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIALOOG_")}
    env |= {"DIALOOG_DATA_DIR": str(data_dir), "DIALOOG_ENV": "development"}
    # The keys' write budget (comments, notes, questions: 30 a minute, 600 an hour) would be spent by the fuzzing
    # phase, and the stateful phase's comments would then all hear 429 and never lead on to their edit, review or
    # withdrawal. The budget (429, Retry-After, RateLimit-*) has its own tests (tests/web/test_api_http.py).
    env |= {
        "DIALOOG_API_WRITE_LIMIT_PER_MINUTE": "0",
        "DIALOOG_API_WRITE_LIMIT_PER_HOUR": "0",
        "DIALOOG_API_CHANGE_LIMIT_PER_MINUTE": "0",  # the budget of every change per key (issue 20) likewise
        "DIALOOG_API_CHANGE_LIMIT_PER_HOUR": "0",
    }
    if args.database_url:
        env["DIALOOG_DATABASE_URL"] = args.database_url
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = data_dir / "server.log"
    started = time.monotonic()
    results: list[RunResult] = []
    writes: dict[str, dict[str, int]] = {}
    server: subprocess.Popen[bytes] | None = None
    try:
        with log_path.open("wb") as log:
            server = subprocess.Popen(
                [str(BIN / "dialoog"), "serve", "--demo", "--no-worker", "--host", "127.0.0.1", "--port", str(port)],
                env=env,
                cwd=REPO,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_until_up(f"{base}/healthz", server)
        keys = {
            "provider": create_key(env, PROVIDER),
            "municipality": create_key(env, MUNICIPALITY),
            "admin": create_key(env, ADMIN),
        }
        print(
            f"server up at {base} after {time.monotonic() - started:.1f}s; keys for {PROVIDER}, {MUNICIPALITY}, {ADMIN}"
        )
        contexts = {who: fuzz_context(base, key, provider=who == "provider") for who, key in keys.items()}
        print(
            "sections open for comments: "
            + ", ".join(f"{who} {len(context['sections'])}" for who, context in contexts.items())
        )
        config = data_dir / "schemathesis.toml"
        config.write_text(config_text())
        with urllib.request.urlopen(f"{base}/api/v1/openapi.json", timeout=10) as response:
            paths = list(json.load(response)["paths"])
        # The provider first, the admin last: the admin's run may change users (the others' too) and so spoil them.
        for who in ("provider", "municipality", "admin"):
            t0 = time.monotonic()
            code = 0
            for part, phases in enumerate(phase_runs(args.phases)):
                cassette = data_dir / f"cassette-{who}-{part}.yaml"
                command = schemathesis_command(
                    f"{base}/api/v1/openapi.json",
                    keys[who],
                    max_examples=args.max_examples,
                    seed=args.seed,
                    config=config,
                    cassette=cassette,
                    phases=phases,
                )
                print(f"\n=== schemathesis as {who}: {show(command)}", flush=True)
                # Run from the data dir: schemathesis's report files, if any, end up there and not in the work tree.
                fuzz_env = {
                    **os.environ,
                    "SCHEMATHESIS_HOOKS": "fuzz_hooks",
                    "PYTHONPATH": str(Path(__file__).resolve().parent),
                    "DIALOOG_FUZZ_CONTEXT": json.dumps(contexts[who]),
                }
                code = code or subprocess.run(command, cwd=data_dir, env=fuzz_env, check=False).returncode
                for operation, count in successful_writes(cassette, paths).items():
                    row = writes.setdefault(operation, {})
                    row[who] = row.get(who, 0) + count
            results.append(RunResult(who, code, time.monotonic() - t0))
    finally:
        if server is not None and server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        failed = len(results) < 3 or any(r.returncode for r in results)
        if failed or args.keep:
            # Keep the data dir (database and server log) to look into; say what the server logged.
            errors = server_errors(log_path) if log_path.exists() else []
            print(f"\n=== server log: {log_path}" + "".join(f"\n{line}" for line in errors))
        else:
            shutil.rmtree(data_dir, ignore_errors=True)

    print("\n=== API fuzzing summary")
    for r in results:
        print(f"{r.who:9} {'passed' if r.returncode == 0 else f'FAILED (exit {r.returncode})':18} {r.seconds:6.1f}s")
    print("\n=== successful writes (2xx) per operation and key")
    print(f"{'operation':52} {'provider':>9} {'municipality':>12} {'admin':>6}")
    for operation in sorted(writes):
        row = writes[operation]
        print(f"{operation:52} {row.get('provider', 0):9} {row.get('municipality', 0):12} {row.get('admin', 0):6}")
    print(f"total {time.monotonic() - started:.1f}s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
