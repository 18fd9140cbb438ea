"""The deployment files as Debian 12's own tools read them: systemd-analyze verifies every unit
and timer, nginx -t checks the site. Both run in CI, which installs systemd and nginx from Debian:
these checks never skip. Paths a unit or the site opens are pointed at temporary copies."""

from __future__ import annotations

import http.server
import shutil
import socket
import ssl
import subprocess
import threading
from pathlib import Path

import pytest

from tests.nginx import SITE_NAME, rendered_nginx, running_nginx
from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
APP_DIR = "/srv/pasar-opop/app"
ENV_FILE = "/etc/pasar-opop/env"


def tool(name: str) -> str:
    path = shutil.which(name) or next(
        (str(p) for p in (Path("/usr/sbin") / name, Path("/usr/bin") / name) if p.exists()), None
    )
    if path is None:
        pytest.fail(f"{name} is not installed: apt-get install it (.ci/run does)")
    return path


def rendered_units(tmp_path: Path) -> list[Path]:
    """The units with the app's folder at this checkout (whose .venv holds the commands) and
    the environment file in a temporary folder."""
    env_file = tmp_path / "env"
    env_file.write_text("MARKETPLACE_CONFIG=production\n")
    units = []
    for source in sorted((DEPLOY / "systemd").iterdir()):
        if source.suffix not in (".service", ".socket", ".timer"):
            continue
        text = source.read_text().replace(APP_DIR, str(ROOT)).replace(ENV_FILE, str(env_file))
        target = tmp_path / source.name
        target.write_text(text)
        units.append(target)
    return units


def test_systemd_verifies_every_unit(tmp_path: Path) -> None:
    units = rendered_units(tmp_path)
    assert {unit.name for unit in units} >= {
        "pasar-opop-web.socket",
        "pasar-opop-web.service",
        "pasar-opop-worker.service",
        "pasar-opop-scheduler.service",
    }
    result = subprocess.run(
        [tool("systemd-analyze"), "verify", "--man=no", *map(str, units)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # A warning (an unknown key, a missing command) leaves the exit code at 0: any output fails.
    assert result.returncode == 0 and not (result.stdout + result.stderr).strip(), (
        result.stdout + result.stderr
    )


def test_systemd_verify_catches_a_broken_unit(tmp_path: Path) -> None:
    """The check above can fail: a misspelt directive and a missing command are reported."""
    unit = tmp_path / "broken.service"
    unit.write_text(
        "[Unit]\nDescription=broken\n[Service]\nExecStrat=/bin/true\n"
        "ExecStart=/nonexistent/gunicorn\n[Install]\nWantedBy=multi-user.target\n"
    )
    result = subprocess.run(
        [tool("systemd-analyze"), "verify", "--man=no", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    output = result.stdout + result.stderr
    assert "ExecStrat" in output and "/nonexistent/gunicorn" in output


def test_nginx_accepts_the_site(tmp_path: Path) -> None:
    """nginx -t as Debian 12's nginx reads the site (1.22 refused `http2 on;`)."""
    conf = rendered_nginx(tmp_path)
    result = subprocess.run(
        [
            tool("nginx"),
            "-t",
            "-p",
            str(tmp_path),
            "-e",
            str(tmp_path / "error.log"),
            "-c",
            str(conf),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "[warn]" not in output and "[emerg]" not in output, output


class _App(http.server.BaseHTTPRequestHandler):
    """Stands in for gunicorn: says which Host and forwarded scheme reached it."""

    def do_GET(self) -> None:
        body = f"{self.headers['Host']} {self.headers['X-Forwarded-Proto']}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        pass


def _ask(
    port: int, host: str, path: str = "/", *, tls_name: str | None = None, headers: str = ""
) -> str:
    """The raw answer to a GET, or "" when nginx closes the connection without one."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        conn: socket.socket = raw
        if tls_name is not None:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            conn = context.wrap_socket(raw, server_hostname=tls_name)
        extra = f"{headers}\r\n" if headers else ""
        conn.sendall(
            f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{extra}Connection: close\r\n\r\n".encode()
        )
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
        return b"".join(chunks).decode("latin-1")


def test_nginx_serves_the_site_and_drops_other_hosts(tmp_path: Path) -> None:
    app = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), _App)
    threading.Thread(target=app.serve_forever, daemon=True).start()
    http_port, https_port = free_port(), free_port()
    conf = rendered_nginx(
        tmp_path, http_port=http_port, https_port=https_port, app_port=app.server_port
    )
    (tmp_path / ".well-known" / "acme-challenge").mkdir(parents=True)
    (tmp_path / ".well-known" / "acme-challenge" / "token-1").write_text("challenge-answer")
    try:
        with running_nginx(conf, https_port):
            answer = _ask(https_port, SITE_NAME, tls_name=SITE_NAME)
            assert answer.startswith("HTTP/1.1 200") and answer.endswith(f"{SITE_NAME} https")
            redirect = _ask(http_port, SITE_NAME, "/products?q=batik")
            assert redirect.startswith("HTTP/1.1 301")
            assert f"Location: https://{SITE_NAME}/products?q=batik\r\n" in redirect
            challenge = _ask(http_port, SITE_NAME, "/.well-known/acme-challenge/token-1")
            assert challenge.startswith("HTTP/1.1 200") and challenge.endswith("challenge-answer")
            # Other names get no answer at all: plain HTTP, TLS naming the site but another
            # Host, and TLS naming another site (its handshake is refused).
            assert _ask(http_port, "evil.example") == ""
            assert _ask(https_port, "evil.example", tls_name=SITE_NAME) == ""
            with pytest.raises(ssl.SSLError):
                _ask(https_port, "evil.example", tls_name="evil.example")
    finally:
        app.shutdown()


def test_nginx_compresses_the_static_files_and_keeps_them_a_week(tmp_path: Path) -> None:
    """Inside Debian's nginx.conf, which compresses text/html only: the stylesheet, scripts and
    the SVG logo go out compressed too (a phone on a slow connection waits for the stylesheet
    before it shows anything), and browsers keep them a week."""
    http_port, https_port = free_port(), free_port()
    conf = rendered_nginx(tmp_path, http_port=http_port, https_port=https_port, debian=True)
    with running_nginx(conf, https_port):
        for path, mimetype in (
            ("/static/css/app.css", "text/css"),
            ("/static/js/app.js", "application/javascript"),
            ("/static/img/logo.svg", "image/svg+xml"),
        ):
            answer = _ask(
                https_port, SITE_NAME, path, tls_name=SITE_NAME, headers="Accept-Encoding: gzip"
            )
            head = answer.split("\r\n\r\n", 1)[0]
            assert head.startswith("HTTP/1.1 200"), head
            assert f"Content-Type: {mimetype}" in head, head
            assert "Content-Encoding: gzip" in head, head
            assert "Vary: Accept-Encoding" in head, head
            assert "Cache-Control: max-age=604800" in head, head
