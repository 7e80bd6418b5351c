"""Fuzz the JSON API with schemathesis: no 5xx, and every answer as the OpenAPI document says.

Starts ``dialoog serve --demo --no-worker`` on a free loopback port with a fresh SQLite database in a temporary
data dir, creates a write-scope API key for the admin and for one provider user, and runs ``schemathesis run``
against ``/api/v1/openapi.json`` once per key, over every operation. Exits non-zero when either run fails; the
server is stopped in all cases.

    .venv/bin/python tests/fuzz/api_fuzz.py [--database-url postgresql://...] [--max-examples N] [--seed S]

With ``--database-url`` the server runs on that database instead; it must be empty (the demo data is loaded into
it and the fuzzer changes it). Not a pytest module: its name does not start with ``test_``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

BIN = Path(sys.executable).parent  # dialoog and schemathesis are installed beside this interpreter
REPO = Path(__file__).resolve().parents[2]

ADMIN = "sdfl@example.org"
PROVIDER = "rodante@example.org"

# What is checked: the server never fails, and status code, content type, headers and body are documented.
# negative_data_rejection and positive_data_acceptance are left out: schemathesis cannot know the API's rules
# beyond the schema (a valid-looking comment on a closed window is rightly refused, for instance).
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)
# Every phase, each only talking to the local server: the schema's examples, boundary and invalid values
# (coverage), random data (fuzzing), and sequences of calls along links inferred from the answers (stateful).
PHASES = "examples,coverage,fuzzing,stateful"
DEFAULT_MAX_EXAMPLES = 40  # test cases per operation: both runs take under 2 minutes on a 2-core machine
DEFAULT_SEED = 20250107


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


def schemathesis_command(schema_url: str, key: str, *, max_examples: int, seed: int) -> list[str]:
    return [
        str(BIN / "schemathesis"),
        "run",
        schema_url,
        "--checks",
        ",".join(CHECKS),
        "--phases",
        PHASES,
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
    args = parser.parse_args(argv)
    if not (BIN / "schemathesis").exists():
        print(f"schemathesis is not installed beside {sys.executable}: pip install -e '.[test]'", file=sys.stderr)
        return 2

    data_dir = Path(tempfile.mkdtemp(prefix="dialoog-fuzz-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIALOOG_")}
    env |= {"DIALOOG_DATA_DIR": str(data_dir), "DIALOOG_ENV": "development"}
    if args.database_url:
        env["DIALOOG_DATABASE_URL"] = args.database_url
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = data_dir / "server.log"
    started = time.monotonic()
    results: list[RunResult] = []
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
        keys = {"admin": create_key(env, ADMIN), "provider": create_key(env, PROVIDER)}
        print(f"server up at {base} after {time.monotonic() - started:.1f}s; keys for {ADMIN} and {PROVIDER}")
        # The provider first: the admin's run may change users (the provider's too) and so would spoil it.
        for who in ("provider", "admin"):
            command = schemathesis_command(
                f"{base}/api/v1/openapi.json", keys[who], max_examples=args.max_examples, seed=args.seed
            )
            print(f"\n=== schemathesis as {who}: {show(command)}", flush=True)
            t0 = time.monotonic()
            # Run from the data dir: schemathesis's report files, if any, end up there and not in the work tree.
            code = subprocess.run(command, cwd=data_dir, check=False).returncode
            results.append(RunResult(who, code, time.monotonic() - t0))
    finally:
        if server is not None and server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        failed = len(results) < 2 or any(r.returncode for r in results)
        if failed:
            # Keep the data dir (database and server log) to look into; say what the server logged.
            errors = server_errors(log_path) if log_path.exists() else []
            print(f"\n=== server log: {log_path}" + "".join(f"\n{line}" for line in errors))
        else:
            shutil.rmtree(data_dir, ignore_errors=True)

    print("\n=== API fuzzing summary")
    for r in results:
        print(f"{r.who:9} {'passed' if r.returncode == 0 else f'FAILED (exit {r.returncode})':18} {r.seconds:6.1f}s")
    print(f"total {time.monotonic() - started:.1f}s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
