"""Issue 21: the production topology of docker-compose.yml, started as processes on this machine.

Docker cannot run here, so this test starts what the compose file starts: a PostgreSQL database of its own, two
``dialoog serve`` replicas on their own ports (one with ``--workers 2``), and nginx in front of them with the
configuration that ships, deploy/nginx.conf, in which only the documented strings are replaced (ports, paths,
the replicas' addresses; the list is at the top of that file) and a self-signed certificate made here. Through
the proxy over HTTPS: readiness, HTTP to HTTPS, static files from nginx (compressed, cached for a year), requests
spread over both replicas, a sign-in with a Secure cookie and a page that needs it, https:// URLs built by the app
(X-Forwarded-Proto), and the client's own address in the app (X-Forwarded-For; a client's own header is not
believed).

The client connects from 127.0.0.2, nginx reaches the replicas from 127.0.0.1 (the only address they trust), so
the address the app records tells whether the forwarded header was used. Skipped without Debian's nginx
(``apt-get install nginx``) or without a PostgreSQL server (tests/platform/servers.py).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import re
import shutil
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import text
from sqlmodel import Session

from app import migrate
from app.config import Settings
from app.db import make_engine
from tests import factories
from tests.conftest import free_port
from tests.helpers import csrf_from
from tests.platform.servers import Server, fresh_postgres_database, start, wait_until_ready

ROOT = Path(__file__).resolve().parents[2]
NGINX_CONF = ROOT / "deploy" / "nginx.conf"
COMPOSE_FILE = ROOT / "docker-compose.yml"
STATIC = ROOT / "app" / "static"
NGINX = "/usr/sbin/nginx"
CLIENT_ADDRESS = "127.0.0.2"  # the "browser"; nginx and the replicas talk over 127.0.0.1
SPOOFED = "203.0.113.9"  # what a client claims in its own X-Forwarded-For
SECRET = "topology-test-secret-" + "x" * 40


# --- the shipped files ------------------------------------------------------------------------------------------


def test_the_proxy_accepts_the_bodies_the_app_accepts():
    match = re.search(r"client_max_body_size (\d+)m;", NGINX_CONF.read_text())
    assert match, "deploy/nginx.conf sets no client_max_body_size in MiB"
    assert int(match[1]) * 1024 * 1024 == Settings.model_fields["max_request_bytes"].default


def test_the_compose_file_runs_two_replicas_behind_the_proxy_on_postgresql():
    yaml = pytest.importorskip("yaml")
    compose = yaml.safe_load(COMPOSE_FILE.read_text())
    services = compose["services"]
    assert set(services) == {"db", "app1", "app2", "proxy"}
    assert "healthcheck" in services["db"] and "pgdata" in compose["volumes"]
    upstreams = re.findall(r"server (\w+):8000 max_fails=\d+", NGINX_CONF.read_text())
    assert upstreams == ["app1", "app2"]
    front = compose["networks"]["front"]["ipam"]["config"][0]["subnet"]
    for name in upstreams:
        app = services[name]
        assert app["build"] == "." and "--workers" in app["command"]
        env = app["environment"]
        assert env["DIALOOG_ENV"] == "production"
        assert env["DIALOOG_BASE_URL"].startswith("${DIALOOG_BASE_URL:-https://")
        assert env["DIALOOG_DATABASE_URL"] == "postgresql://dialoog@db:5432/dialoog"  # the password is PGPASSWORD
        assert "DIALOOG_SECRET_KEY" not in env and app["env_file"] == "deploy/dialoog.env"  # no secret committed
        assert env["DIALOOG_FORWARDED_ALLOW_IPS"] == front  # the proxy's network, never "*"
        assert "/readyz" in " ".join(app["healthcheck"]["test"])
        assert app["depends_on"]["db"]["condition"] == "service_healthy"
        assert app["volumes"] == ["uploads:/data"]  # one volume for the uploads of every replica
    proxy = services["proxy"]
    assert proxy["image"].startswith("nginx:")
    assert ipaddress.ip_address(proxy["networks"]["front"]["ipv4_address"]) in ipaddress.ip_network(front)
    mounts = {volume.split(":")[1]: volume.split(":")[0] for volume in proxy["volumes"]}
    assert mounts["/etc/nginx/nginx.conf"] == "./deploy/nginx.conf"
    assert mounts["/srv/dialoog/static"] == "./app/static"
    assert mounts["/etc/nginx/certs"] == "./deploy/certs"
    assert "deploy" in (ROOT / ".dockerignore").read_text().split()  # secrets never reach the build context


def test_the_compose_file_passes_docker_compose_config(tmp_path: Path):
    """Only where the docker CLI has its compose plugin (``docker compose config`` needs no daemon)."""
    docker = shutil.which("docker")
    if docker is None or subprocess.run([docker, "compose", "version"], capture_output=True).returncode != 0:
        pytest.skip("no `docker compose` here (the CLI's compose plugin is not installed)")
    work = tmp_path / "checkout"
    shutil.copytree(ROOT / "deploy", work / "deploy")
    shutil.copy(COMPOSE_FILE, work / "docker-compose.yml")
    (work / "deploy" / "dialoog.env").write_text("DIALOOG_SECRET_KEY=x\nPGPASSWORD=y\n")
    (work / "deploy" / "db.env").write_text("POSTGRES_PASSWORD=y\n")
    result = subprocess.run([docker, "compose", "config", "--quiet"], cwd=work, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# --- the topology as processes ----------------------------------------------------------------------------------


def make_certificate(folder: Path) -> Path:
    """A self-signed certificate for 127.0.0.1 (its own root) as deploy/certs/ holds: dialoog.crt, dialoog.key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder.mkdir()
    (folder / "dialoog.crt").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / "dialoog.key").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return folder / "dialoog.crt"


def nginx_conf(*, work: Path, http: int, https: int, replicas: list[int], certs: Path) -> str:
    """deploy/nginx.conf with the documented strings replaced; each must be there (the file and this test agree)."""
    conf = NGINX_CONF.read_text()
    user = "user root;" if os.geteuid() == 0 else "# user: the test's own"  # root: workers stay able to read tmp
    replacements = {
        "user nginx;": user,
        "/var/run/nginx.pid": f"{work}/nginx.pid",
        "/var/log/nginx/": f"{work}/logs/",
        "/var/cache/nginx/": f"{work}/cache/",
        "listen 80;": f"listen 127.0.0.1:{http};",
        "listen 443 ssl": f"listen 127.0.0.1:{https} ssl",
        "https://$host$request_uri": f"https://$host:{https}$request_uri",
        "server app1:8000": f"server 127.0.0.1:{replicas[0]}",
        "server app2:8000": f"server 127.0.0.1:{replicas[1]}",
        "/etc/nginx/certs/": f"{certs}/",
        "/srv/dialoog/static/": f"{STATIC}/",
        "/etc/nginx/mime.types": "/etc/nginx/mime.types",
    }
    for old, new in replacements.items():
        assert old in conf, f"deploy/nginx.conf no longer has {old!r} (see the list at its top)"
        conf = conf.replace(old, new)
    (work / "logs").mkdir()
    (work / "cache").mkdir()
    return conf


def start_nginx(conf: str, work: Path, https: int, ca: Path) -> subprocess.Popen[bytes]:
    """nginx in the foreground with ``conf`` (checked with ``nginx -t`` first), once it answers over HTTPS."""
    path = work / "nginx.conf"
    path.write_text(conf)
    errors = work / "logs" / "error.log"
    command = [NGINX, "-p", str(work), "-c", str(path), "-e", str(errors)]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen([*command, "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30  # a safety net, not a measure
    with httpx.Client(verify=ssl.create_default_context(cafile=ca), timeout=2) as probe:
        while time.monotonic() < deadline:
            assert process.poll() is None, errors.read_text() if errors.exists() else "nginx exited"
            try:
                probe.get(f"https://127.0.0.1:{https}/healthz")
                return process
            except httpx.TransportError:
                time.sleep(0.1)
    process.terminate()
    pytest.fail(f"nginx did not answer:\n{errors.read_text() if errors.exists() else ''}")


class Topology:
    def __init__(self, url: str, replicas: list[Server], http: int, https: int, ca: Path, work: Path) -> None:
        self.url, self.replicas, self.http, self.https, self.ca, self.work = url, replicas, http, https, ca, work

    @property
    def base(self) -> str:
        return f"https://127.0.0.1:{self.https}"

    def client(self) -> httpx.Client:
        """A browser at 127.0.0.2 that trusts the test's certificate and claims another address for itself."""
        transport = httpx.HTTPTransport(local_address=CLIENT_ADDRESS, verify=ssl.create_default_context(cafile=self.ca))
        return httpx.Client(base_url=self.base, transport=transport, headers={"X-Forwarded-For": SPOOFED}, timeout=30)

    def proxy_log(self) -> str:
        return (self.work / "logs" / "access.log").read_text()

    def seen_by(self, replica: Server, marker: str) -> int:
        """How many requests for a path containing ``marker`` the replica's access log shows."""
        return sum(marker in line and '"GET ' in line for line in replica.output)


@pytest.fixture
def topology(tmp_path: Path, stop_afterwards: list[Server]) -> Iterator[Topology]:
    if not Path(NGINX).exists():
        pytest.skip(f"no nginx at {NGINX} (Debian: apt-get install nginx); the proxy of the topology is nginx")
    url = fresh_postgres_database("topology")
    migrate.upgrade(url)
    http, https = free_port(), free_port()
    env = {
        "DIALOOG_DATABASE_URL": url,
        "DIALOOG_DATA_DIR": str(tmp_path / "data"),  # one data directory for both, as the compose file's volume
        "DIALOOG_ENV": "production",
        "DIALOOG_SECRET_KEY": SECRET,  # the same on every replica
        "DIALOOG_BASE_URL": f"https://127.0.0.1:{https}",
        "DIALOOG_FORWARDED_ALLOW_IPS": "127.0.0.1",  # the proxy, and only it
    }
    replicas = []
    for workers in (2, 1):
        port = free_port()
        replicas.append(start(["serve", "--port", str(port), "--workers", str(workers)], env, port))
    stop_afterwards.extend(replicas)
    deadline = time.monotonic() + 120  # a safety net for a stuck start, not a measure
    for replica in replicas:
        wait_until_ready(replica, deadline)
    work = tmp_path / "nginx"
    work.mkdir()
    ca = make_certificate(tmp_path / "certs")
    conf = nginx_conf(work=work, http=http, https=https, replicas=[r.port for r in replicas], certs=ca.parent)
    nginx = start_nginx(conf, work, https, ca)
    try:
        yield Topology(url, replicas, http, https, ca, work)
    finally:
        nginx.terminate()
        nginx.wait(30)


def test_the_topology_through_the_proxy(topology: Topology):
    engine = make_engine(topology.url)
    try:
        with Session(engine) as db:
            admin = factories.admin(db)
            email = admin.email
            db.commit()
        with topology.client() as browser:
            # Ready through the proxy; plain HTTP is sent to HTTPS, same host, same path.
            ready = browser.get("/readyz")
            assert ready.status_code == 200 and ready.json()["status"] == "ok"
            with httpx.Client(timeout=10) as plain:
                moved = plain.get(f"http://127.0.0.1:{topology.http}/readyz?x=1")
            assert moved.status_code == 301
            assert moved.headers["location"] == f"{topology.base}/readyz?x=1"

            # Pages come compressed by the proxy (the replicas answer it uncompressed).
            login_page = browser.get("/login")
            assert login_page.status_code == 200 and login_page.headers["content-encoding"] == "gzip"

            # Static files from nginx: the hashed URL the page links is cached for a year, the plain name is
            # revalidated; both compressed; no replica sees them.
            hashed = re.search(r"/static/dialoog\.[0-9a-f]{12}\.css", login_page.text)
            assert hashed, "the page links no hashed dialoog.css"
            css = browser.get(hashed[0])
            assert css.status_code == 200 and css.content == (STATIC / "dialoog.css").read_bytes()
            assert css.headers["cache-control"] == "public, max-age=31536000, immutable"
            assert css.headers["content-encoding"] == "gzip" and css.headers["x-content-type-options"] == "nosniff"
            assert css.headers["content-type"].startswith("text/css")
            plain_css = browser.get("/static/dialoog.css")
            assert plain_css.status_code == 200 and plain_css.headers["cache-control"] == "no-cache"
            assert browser.get("/static/no-such-file.0123456789ab.css").status_code == 404
            assert not any("/static/" in line for replica in topology.replicas for line in replica.output)

            # Round-robin: both replicas answer (each nginx worker takes turns on its own).
            for n in range(12):
                assert browser.get(f"/healthz?spread={n}").status_code == 200
            counts = [topology.seen_by(replica, "/healthz?spread=") for replica in topology.replicas]
            assert sum(counts) == 12 and all(counts), counts
            spread = [line for line in topology.proxy_log().splitlines() if "/healthz?spread=" in line]
            for replica, count in zip(topology.replicas, counts, strict=True):  # the proxy's log names the replica
                assert sum(f"upstream=127.0.0.1:{replica.port} " in line for line in spread) == count, spread

            # Sign in through the proxy: the session cookie is Secure (https:// base URL), the page that needs it
            # works on whichever replica answers it.
            token = csrf_from(login_page.text)
            signed_in = browser.post(
                "/login",
                data={"email": email, "password": factories.PASSWORD, "csrf_token": token, "next": "/account"},
            )
            assert signed_in.status_code == 303, signed_in.text
            cookies = signed_in.headers.get_list("set-cookie")
            session_cookie = next(c for c in cookies if c.startswith("dialoog_session="))
            assert "; secure" in session_cookie.lower() and "httponly" in session_cookie.lower()
            for _ in range(4):  # on both replicas
                account = browser.get("/account")
                assert account.status_code == 200 and email in account.text
                assert account.headers["cache-control"] == "no-store"
                assert "max-age=31536000" in account.headers["strict-transport-security"]

            # X-Forwarded-Proto: URLs the app builds from the request are https:// on the proxy's port.
            slash = browser.get("/account/")
            assert slash.status_code in (307, 308), slash.status_code
            assert slash.headers["location"] == f"{topology.base}/account"

        # X-Forwarded-For: the app recorded the client's own address, not the one the client claimed, nor the
        # proxy's.
        with engine.connect() as conn:
            session_ips = conn.execute(text("SELECT ip FROM user_sessions")).scalars().all()
            attempt_ips = conn.execute(text("SELECT ip FROM login_attempts")).scalars().all()
        assert session_ips == [CLIENT_ADDRESS]
        assert set(attempt_ips) <= {CLIENT_ADDRESS}  # sign-in attempts, as the throttle counts them
        assert any(f'{CLIENT_ADDRESS}:0 - "GET /account' in line for r in topology.replicas for line in r.output)
    finally:
        engine.dispose()
        for replica in topology.replicas:
            assert "Traceback" not in replica.log, replica.log
