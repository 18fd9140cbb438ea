"""The deployment files parse and point at commands that exist.

No container engine runs on the build machines, so the Dockerfile and compose file are not
built here; this checks what can be checked without one.
"""

from __future__ import annotations

import configparser
import re
from pathlib import Path

import pytest
import yaml
from flask import Flask

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def test_compose_file_defines_web_worker_and_scheduler() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert {"db", "redis", "web", "worker", "scheduler"} <= set(services)
    assert services["worker"]["command"] == ["flask", "jobs", "worker"]
    assert services["scheduler"]["command"] == ["flask", "jobs", "scheduler"]
    for name in ("web", "worker", "scheduler"):
        assert services[name]["build"]["dockerfile"] == "deploy/Dockerfile"
        assert "REDIS_URL" in services[name]["environment"]


def test_compose_services_restart_and_share_uploads_the_app_user_owns() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    for name, service in services.items():
        assert service.get("restart") in ("unless-stopped", "always"), name
    for name in ("web", "worker", "scheduler"):
        assert services[name]["environment"]["UPLOAD_FOLDER"] == "/uploads"
        assert "uploads:/uploads" in services[name]["volumes"]
        # No default password: compose refuses to start until deploy/env sets one.
        assert ":?" in services[name]["environment"]["DATABASE_URL"]
    assert "uploads" in compose["volumes"]
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    # A new named volume copies the image's /uploads, its owner included.
    assert re.search(r"useradd [^\n]*--uid 10001 pasar-opop", dockerfile)
    assert "install -d -o pasar-opop -g pasar-opop /uploads" in dockerfile
    assert re.search(r"^USER pasar-opop$", dockerfile, re.MULTILINE)


def test_systemd_units_parse_and_run_real_commands(app: Flask) -> None:
    commands = set(app.cli.list_commands(None))  # type: ignore[arg-type]
    jobs = app.cli.get_command(None, "jobs")  # type: ignore[arg-type]
    job_commands = set(jobs.list_commands(None))  # type: ignore[union-attr,arg-type]
    for unit in ("web", "worker", "scheduler"):
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.read(DEPLOY / "systemd" / f"pasar-opop-{unit}.service")
        exec_start = parser["Service"]["ExecStart"]
        assert parser["Service"]["EnvironmentFile"] == "/etc/pasar-opop/env"
        if unit == "web":
            assert "gunicorn -c gunicorn.conf.py wsgi:app" in exec_start
        else:
            group, command = exec_start.split("wsgi ", 1)[1].split()[:2]
            assert group in commands and command in job_commands


def test_nginx_site_braces_balance_and_forward_the_request_id() -> None:
    text = (DEPLOY / "nginx-pasar-opop.conf").read_text()
    body = re.sub(r"#.*", "", text)
    assert body.count("{") == body.count("}")
    assert "proxy_set_header X-Request-ID $request_id;" in text
    assert "client_max_body_size 16m;" in text


def test_gunicorn_settings_leave_the_command_line_in_charge(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The config sets PROMETHEUS_MULTIPROC_DIR when it is unset; keep that out of this process.
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    settings: dict[str, object] = {}
    exec((DEPLOY.parent / "gunicorn.conf.py").read_text(), settings)  # noqa: S102
    assert "daemon" not in settings and "pidfile" not in settings
    assert isinstance(settings["workers"], int) and settings["workers"] >= 2


def nginx_servers(text: str) -> list[str]:
    """The bodies of the nginx site's `server { ... }` blocks (comments removed)."""
    body = re.sub(r"#.*", "", text)
    servers, depth, start = [], 0, None
    for match in re.finditer(r"\bserver\s*\{|\{|\}", body):
        if match.group(0).endswith("{"):
            if depth == 0:
                start = match.end() if match.group(0).startswith("server") else None
            depth += 1
        else:
            depth -= 1
            if depth == 0 and start is not None:
                servers.append(body[start : match.start()])
    return servers


def test_nginx_drops_requests_for_hosts_the_site_does_not_serve() -> None:
    servers = nginx_servers((DEPLOY / "nginx-pasar-opop.conf").read_text())
    defaults = [s for s in servers if "default_server" in s]
    plain = [s for s in defaults if "listen 80 default_server;" in s]
    tls = [s for s in defaults if "listen 443 ssl http2 default_server;" in s]
    assert len(plain) == 1 and "return 444;" in plain[0]
    assert len(tls) == 1 and "ssl_reject_handshake on;" in tls[0] and "return 444;" in tls[0]
    site = [s for s in servers if s not in defaults]
    assert site and all("server_name pasar-opop.mojokertokota.go.id;" in s for s in site)
    # Every proxied location hands the app the site's name (the app refuses other hosts).
    for location in re.findall(r"location[^{]*\{([^}]*)\}", site[-1]):
        if "proxy_pass" in location:
            assert "proxy_set_header Host $host;" in location, location
