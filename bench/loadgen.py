"""A small closed-loop HTTP/1.1 load generator, run by ``bench/run.py`` in a process of its own.

``concurrency`` keep-alive connections each send a request, read the whole response and send the next, for
``warmup + duration`` seconds; only requests sent after the warm-up count. Requests are pre-encoded bytes
and responses are parsed just enough (status line, headers, Content-Length or chunked body), so one client
process keeps up with a single-process server. ``{n}`` in the path or body becomes a request counter (unique
form tokens for POSTs). With ``server_pids`` the server's CPU time (user + system, of those processes) is read
from /proc when the measurement starts and ends: ``cpu_ms`` is that time per measured request, a figure that
other load on the machine disturbs far less than requests per second.

Reads one JSON spec on stdin, writes one JSON result on stdout:

    {"host", "port", "method", "path", "headers": {...}, "body": str|null, "concurrency", "duration", "warmup"}
    {..., "server_pids": [int]}   (optional)
    -> {"requests", "rps", "p50_ms", "p95_ms", "p99_ms", "bytes", "queries", "statuses": {...}, "errors", "cpu_ms"}
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far (Linux /proc; a process that is gone counts 0)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / TICKS


async def read_response(reader: asyncio.StreamReader) -> tuple[int, dict[bytes, bytes], int]:
    """Status, headers (lower-cased names) and body size of one response."""
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("connection closed")
    status = int(status_line.split(b" ", 2)[1])
    headers: dict[bytes, bytes] = {}
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip()
    if b"content-length" in headers:
        size = int(headers[b"content-length"])
        await reader.readexactly(size)
        return status, headers, size
    size = 0
    if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
        while True:
            chunk = int((await reader.readline()).split(b";")[0], 16)
            await reader.readexactly(chunk + 2)  # the chunk and its CRLF
            size += chunk
            if chunk == 0:
                break
    return status, headers, size


def encoder(spec: dict[str, Any]):
    head = [f"{spec['method']} {spec['path']} HTTP/1.1", f"Host: {spec['host']}:{spec['port']}"]
    head += [f"{name}: {value}" for name, value in spec.get("headers", {}).items()]
    body = spec.get("body")

    def request(n: int) -> bytes:
        lines = [line.replace("{n}", str(n)) for line in head]
        if body is None:
            return ("\r\n".join(lines) + "\r\n\r\n").encode()
        data = body.replace("{n}", str(n)).encode()
        return ("\r\n".join([*lines, f"Content-Length: {len(data)}"]) + "\r\n\r\n").encode() + data

    return request


async def run(spec: dict[str, Any]) -> dict[str, Any]:
    request = encoder(spec)
    counter = itertools.count(1)
    started = time.perf_counter()
    measure_from = started + spec.get("warmup", 1.0)
    stop_at = measure_from + spec["duration"]
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    sizes: list[int] = []
    queries: list[int] = []
    errors = 0
    pids = spec.get("server_pids") or []
    cpu: list[float] = []

    async def cpu_at_start() -> None:
        await asyncio.sleep(max(0.0, measure_from - time.perf_counter()))
        cpu.append(cpu_seconds(pids))

    async def connection() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(spec["host"], spec["port"])
        try:
            while (sent := time.perf_counter()) < stop_at:
                writer.write(request(next(counter)))
                try:
                    status, headers, size = await read_response(reader)
                except (ConnectionError, asyncio.IncompleteReadError):
                    errors += 1
                    writer.close()
                    reader, writer = await asyncio.open_connection(spec["host"], spec["port"])
                    continue
                if sent >= measure_from:
                    latencies.append(time.perf_counter() - sent)
                    statuses[str(status)] = statuses.get(str(status), 0) + 1
                    sizes.append(size)
                    if b"x-bench-queries" in headers:
                        queries.append(int(headers[b"x-bench-queries"]))
                if headers.get(b"connection", b"").lower() == b"close":
                    writer.close()
                    reader, writer = await asyncio.open_connection(spec["host"], spec["port"])
        finally:
            writer.close()

    await asyncio.gather(cpu_at_start(), *(connection() for _ in range(spec["concurrency"])))
    cpu.append(cpu_seconds(pids))
    latencies.sort()

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 2) if latencies else 0.0

    return {
        "requests": len(latencies),
        "rps": round(len(latencies) / spec["duration"], 1),
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "bytes": int(statistics.median(sizes)) if sizes else 0,
        "queries": int(statistics.median(queries)) if queries else None,
        "statuses": statuses,
        "errors": errors,
        "cpu_ms": round((cpu[1] - cpu[0]) * 1000 / len(latencies), 3) if pids and latencies else None,
    }


def main() -> None:
    spec = json.load(sys.stdin)
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # the standard loop is slower but measures the same way
        pass
    json.dump(asyncio.run(run(spec)), sys.stdout)


if __name__ == "__main__":
    main()
