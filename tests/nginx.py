"""nginx with the site as shipped (deploy/nginx-pasar-opop.conf), run from a temporary folder:
for the deployment tests and the benchmarks (bench/lighthouse.py).

The site's certificate, static folder, ACME folder, ports and app server are pointed at
temporary ones. ``debian=True`` puts the site inside Debian 12's own /etc/nginx/nginx.conf (its
mime types, sendfile, and `gzip on;`, which compresses text/html only), as on the city's server;
otherwise inside a bare ``http {}`` block.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITE_CONF = ROOT / "deploy" / "nginx-pasar-opop.conf"
DEBIAN_NGINX_CONF = Path("/etc/nginx/nginx.conf")
SITE_NAME = "pasar-opop.mojokertokota.go.id"
CERT_DIR = f"/etc/letsencrypt/live/{SITE_NAME}"
APP_DIR = "/srv/pasar-opop/app"
APP_SERVER = "server 127.0.0.1:8000"


def program(name: str) -> str:
    """The path of one of Debian's programs (nginx and openssl live in /usr/sbin, /usr/bin)."""
    path = shutil.which(name) or next(
        (str(p) for p in (Path("/usr/sbin") / name, Path("/usr/bin") / name) if p.exists()), None
    )
    if path is None:
        raise FileNotFoundError(f"{name} is not installed: apt-get install it (.ci/run does)")
    return path


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for the site's name (a day long), as certbot's files are named."""
    cert, key = folder / "fullchain.pem", folder / "privkey.pem"
    subprocess.run(
        [
            program("openssl"),
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            f"/CN={SITE_NAME}",
            "-addext",
            f"subjectAltName=DNS:{SITE_NAME}",  # browsers read the name from here, not CN
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


def public_key_pin(cert: Path) -> str:
    """base64(SHA-256(SubjectPublicKeyInfo)) of a certificate: what Chromium's
    ``--ignore-certificate-errors-spki-list`` takes to trust it."""
    pem = subprocess.run(
        [program("openssl"), "x509", "-in", str(cert), "-pubkey", "-noout"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    body = "".join(line for line in pem.splitlines() if not line.startswith("-----"))
    return base64.b64encode(hashlib.sha256(base64.b64decode(body)).digest()).decode()


def rendered_nginx(
    tmp_path: Path,
    *,
    http_port: int = 80,
    https_port: int = 443,
    app_port: int | None = None,
    debian: bool = False,
) -> Path:
    """nginx.conf around the site, with the site's paths and ports pointed at temporary ones and
    nginx's own files (pid, logs, temp) in tmp_path; its path."""
    cert, key = self_signed_certificate(tmp_path)
    site = SITE_CONF.read_text()
    site = site.replace(f"{CERT_DIR}/fullchain.pem", str(cert))
    site = site.replace(f"{CERT_DIR}/privkey.pem", str(key))
    site = site.replace(f"{APP_DIR}/static/", f"{ROOT}/static/")
    site = site.replace("/var/www/letsencrypt", str(tmp_path))
    if app_port is not None:
        site = site.replace(APP_SERVER, f"server 127.0.0.1:{app_port}")
    # IPv4 on loopback only: the machine may have no IPv6, and nothing else should answer.
    site = re.sub(r"^\s*listen \[::\]:.*$", "", site, flags=re.MULTILINE)
    site = re.sub(r"listen 80\b", f"listen 127.0.0.1:{http_port}", site)
    site = re.sub(r"listen 443\b", f"listen 127.0.0.1:{https_port}", site)
    site_path = tmp_path / "site.conf"
    site_path.write_text(site)
    conf = tmp_path / "nginx.conf"
    if debian:
        conf.write_text(_debian_conf(tmp_path, site_path))
    else:
        conf.write_text(
            f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
            f"http {{\n  access_log off;\n  include {site_path};\n}}\n"
        )
    return conf


def _debian_conf(tmp_path: Path, site: Path) -> str:
    """Debian's nginx.conf with its machine-wide paths moved into tmp_path and the site as the
    only one enabled."""
    temp_paths = "".join(
        f"\t{kind}_temp_path {tmp_path}/{kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    text = DEBIAN_NGINX_CONF.read_text()
    for pattern, replacement in (
        (r"^user\s+[^;]+;\n", ""),  # nginx runs as whoever starts it
        (r"^pid\s+[^;]+;", f"pid {tmp_path}/nginx.pid;"),
        (r"^error_log\s+[^;]+;", f"error_log {tmp_path}/error.log;"),
        (r"^\s*access_log\s+[^;]+;", f"\taccess_log {tmp_path}/access.log;"),
        (r"^\s*include /etc/nginx/conf\.d/\*\.conf;\n", ""),
        (r"^\s*include /etc/nginx/sites-enabled/\*;", f"{temp_paths}\tinclude {site};"),
    ):
        text, count = re.subn(pattern, replacement, text, count=1, flags=re.MULTILINE)
        if count != 1:
            raise RuntimeError(f"{DEBIAN_NGINX_CONF} is not Debian's: no line matches {pattern}")
    return text


@contextlib.contextmanager
def running_nginx(conf: Path, wait_for_port: int) -> Iterator[subprocess.Popen[bytes]]:
    """nginx in the foreground with ``conf`` (from ``rendered_nginx``), once ``wait_for_port``
    accepts connections; stopped afterwards."""
    folder = conf.parent
    nginx = subprocess.Popen(
        [
            program("nginx"),
            "-p",
            str(folder),
            "-e",
            str(folder / "error.log"),
            "-c",
            str(conf),
            "-g",
            "daemon off; master_process off;",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30  # a loaded machine starts it slowly
        while True:
            try:
                socket.create_connection(("127.0.0.1", wait_for_port), timeout=1).close()
                break
            except OSError:
                if nginx.poll() is not None or time.monotonic() > deadline:
                    nginx.terminate()
                    output = nginx.communicate(timeout=10)[0].decode()
                    raise RuntimeError(f"nginx did not start:\n{output}") from None
                time.sleep(0.1)
        yield nginx
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
