"""deploy/upgrade.sh: the release procedure's steps, in order, without running them
(--dry-run), and the web unit's graceful reload it relies on."""

from __future__ import annotations

import configparser
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
UPGRADE_SH = ROOT / "deploy" / "upgrade.sh"


def dry_run(app_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(UPGRADE_SH), "--dry-run", *args],
        env={"PATH": "/usr/bin:/bin", "APP_DIR": str(app_dir)},
        capture_output=True,
        text=True,
        timeout=60,
    )


def checkout(folder: Path, *files: str) -> str:
    """A git checkout with the given files committed: its commit."""
    folder.mkdir()
    for name in files:
        (folder / name).write_text("flask\n")
    git = ["git", "-C", str(folder), "-c", "user.name=uji", "-c", "user.email=uji@example.test"]
    subprocess.run([*git, "init", "--quiet"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "--quiet", "-m", "rilis lama"], check=True)
    return subprocess.run(
        [*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()


def test_the_dry_run_prints_the_release_steps_in_order_and_changes_nothing(
    tmp_path: Path,
) -> None:
    app = tmp_path / "app"
    previous = checkout(app, "requirements.txt", "requirements.lock")

    result = dry_run(app, "v2.0.0")

    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    expected = [
        "git fetch --quiet --tags --prune origin",
        "git rev-parse --verify v2.0.0",
        f"/bin/bash {app}/deploy/backup.sh",
        "flask --app wsgi db current",
        "git checkout --quiet --detach v2.0.0",
        f"pip install --quiet --no-input -r {app}/requirements.lock",
        "scripts/translations.sh compile",
        "flask --app wsgi db upgrade",
        "systemctl reload pasar-opop-web",
        "systemctl restart pasar-opop-worker pasar-opop-scheduler",
        "http://127.0.0.1:8000/readyz",
        "== rollback, when a step from 4 on fails",
        f"git checkout --quiet --detach {previous}",
        "systemctl reload-or-restart pasar-opop-web",
        "flask --app wsgi db downgrade",
    ]
    positions = []
    for text in expected:
        found = [i for i, line in enumerate(lines) if text in line]
        assert found, f"{text!r} not in:\n{result.stderr}"
        positions.append(found[0])
    assert positions == sorted(positions), result.stderr
    # Commands are printed, not run: the backup and the migration run as the service.
    assert "(as pasar-opop with /etc/pasar-opop/env, through systemd-run)" in result.stderr
    head = subprocess.run(
        ["git", "-C", str(app), "rev-parse", "HEAD"], capture_output=True, text=True
    )
    assert head.stdout.strip() == previous


def test_without_a_lock_file_the_requirements_are_installed(tmp_path: Path) -> None:
    app = tmp_path / "app"
    checkout(app, "requirements.txt")

    result = dry_run(app, "v2.0.0")

    assert f"-r {app}/requirements.txt" in result.stderr


def test_an_upgrade_needs_a_release_to_go_to(tmp_path: Path) -> None:
    result = dry_run(tmp_path)
    assert result.returncode == 2
    assert "usage:" in result.stderr


def test_the_web_unit_reloads_gunicorn_gracefully_with_hup() -> None:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.read(ROOT / "deploy" / "systemd" / "pasar-opop-web.service")
    command = parser["Service"]["ExecReload"].split()
    assert command[0] == "/bin/kill" and command[-1] == "$MAINPID"
    assert command[1:-1] in (["-HUP"], ["-s", "HUP"])
