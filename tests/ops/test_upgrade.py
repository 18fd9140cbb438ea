"""deploy/upgrade.sh: the release procedure's steps, in order, without running them
(--dry-run); a real run with stand-ins for systemd, curl and the venv, which upgrades, and which
rolls back when /readyz does not answer; and the web unit's socket it relies on."""

from __future__ import annotations

import configparser
import subprocess
from pathlib import Path

import pytest

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
        "systemctl restart pasar-opop-web",
        "systemctl restart pasar-opop-worker pasar-opop-scheduler",
        "http://127.0.0.1:8000/readyz",
        "== rollback, when a step from 4 on fails",
        f"git checkout --quiet --detach {previous}",
        "systemctl restart pasar-opop-web",
        "flask --app wsgi db downgrade",
    ]
    # Each in turn, after the one before (the restart is printed twice: upgrade and rollback).
    position = -1
    for text in expected:
        found = [i for i, line in enumerate(lines) if text in line and i > position]
        assert found, f"{text!r} not after line {position} of:\n{result.stderr}"
        position = found[0]
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


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.read(ROOT / "deploy" / "systemd" / name)
    return parser


def test_the_web_unit_restarts_without_refusing_a_connection() -> None:
    """gunicorn preloads the application, so new code needs a restart: systemd holds the
    listening socket across it (connections wait), and considers the unit started only when
    gunicorn says it is ready, so `systemctl restart` returns with the new code serving."""
    socket, web = unit("pasar-opop-web.socket"), unit("pasar-opop-web.service")
    nginx = (ROOT / "deploy" / "nginx-pasar-opop.conf").read_text()
    address = socket["Socket"]["ListenStream"]
    assert f"server {address} " in nginx  # nginx's upstream is the socket systemd holds
    assert "pasar-opop-web.socket" in web["Unit"]["Requires"].split()
    assert web["Service"]["Type"] == "notify" and web["Service"]["KillMode"] == "mixed"
    # A rollback restarts the previous release on the newer schema: the unit must not migrate.
    assert "ExecStartPre" not in web["Service"]
    command = web["Service"]["ExecReload"].split()
    assert command[0] == "/bin/kill" and command[-1] == "$MAINPID"
    assert command[1:-1] in (["-HUP"], ["-s", "HUP"])


GIT = ["git", "-c", "user.name=uji", "-c", "user.email=uji@example.test"]

#: Stand-ins, first on PATH: each writes what it was asked to a log. systemd-run and runuser run
#: the command they were given; `id -u` says root (the script refuses to run as anyone else).
STAND_INS = {
    "systemctl": 'echo "systemctl $*" >>"$LOG"',
    "systemd-run": 'while [ "$1" != -- ]; do shift; done; shift; exec "$@"',
    "runuser": 'while [ "$1" != -- ]; do shift; done; shift; exec "$@"',
    "id": "echo 0",
    # Answers READYZ_ANSWERS in turn, one per call; the last one from then on.
    "curl": 'echo "curl" >>"$LOG"; n=$(grep -c ^curl "$LOG"); set -- $READYZ_ANSWERS; '
    'while [ "$n" -gt 1 ] && [ $# -gt 1 ]; do shift; n=$((n - 1)); done; printf %s "$1"',
}
VENV = {
    "pip": 'echo "pip $*" >>"$LOG"',
    "pybabel": 'echo "pybabel $*" >>"$LOG"',
    "flask": 'echo "flask $*" >>"$LOG"; [ "$3 $4" != "db current" ] || echo "1a2b3c4d5e6f (head)"',
}
RELEASE_FILES = {
    "deploy/backup.sh": 'echo "backup" >>"$LOG"',
    "scripts/translations.sh": '"$PYBABEL" "$@"',
}


def write_scripts(folder: Path, scripts: dict[str, str]) -> None:
    for name, body in scripts.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"#!/bin/sh\n{body}\n")
        path.chmod(0o755)


@pytest.fixture
def server(tmp_path: Path) -> dict[str, object]:
    """A release repository with v1.0.0 and v2.0.0, and a server's checkout of v1.0.0."""
    origin = tmp_path / "origin"
    origin.mkdir()
    write_scripts(origin, RELEASE_FILES)
    (origin / "requirements.txt").write_text("flask\n")
    git = [*GIT, "-C", str(origin)]
    subprocess.run([*git, "init", "--quiet"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "--quiet", "-m", "v1"], check=True)
    subprocess.run([*git, "tag", "v1.0.0"], check=True)
    (origin / "requirements.lock").write_text("flask==3.1.3\n")
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "--quiet", "-m", "v2"], check=True)
    subprocess.run([*git, "tag", "v2.0.0"], check=True)
    app = tmp_path / "app"
    subprocess.run([*GIT, "clone", "--quiet", str(origin), str(app)], check=True)
    subprocess.run([*GIT, "-C", str(app), "checkout", "--quiet", "v1.0.0"], check=True)
    write_scripts(app / ".venv" / "bin", VENV)
    stand_ins = tmp_path / "bin"
    write_scripts(stand_ins, STAND_INS)
    return {
        "app": app,
        "log": tmp_path / "log",
        "env": {
            "PATH": f"{stand_ins}:/usr/bin:/bin",
            "APP_DIR": str(app),
            "LOG": str(tmp_path / "log"),
            "LOCK_FILE": str(tmp_path / "upgrade.lock"),
            "READYZ_TRIES": "2",
            "READYZ_DELAY": "0",
        },
    }


def upgrade(server: dict[str, object], ref: str, readyz: str) -> subprocess.CompletedProcess[str]:
    """Run upgrade.sh; /readyz answers the codes in ``readyz`` (space-separated) in turn."""
    env = {**server["env"], "READYZ_ANSWERS": readyz}  # type: ignore[dict-item]
    return subprocess.run(
        ["bash", str(UPGRADE_SH), ref], env=env, capture_output=True, text=True, timeout=60
    )


def commit_of(app: object, ref: str = "HEAD") -> str:
    result = subprocess.run(
        ["git", "-C", str(app), "rev-parse", f"{ref}^{{commit}}"],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_an_upgrade_backs_up_installs_migrates_and_restarts_in_that_order(
    server: dict[str, object],
) -> None:
    result = upgrade(server, "v2.0.0", readyz="200")

    assert result.returncode == 0, result.stderr
    assert commit_of(server["app"]) == commit_of(server["app"], "v2.0.0")
    log = Path(str(server["log"])).read_text().splitlines()
    assert log == [
        "backup",
        "flask --app wsgi db current",
        f"pip install --quiet --no-input -r {server['app']}/requirements.lock",
        "pybabel compile",
        "flask --app wsgi db upgrade",
        "systemctl restart pasar-opop-web",
        "systemctl restart pasar-opop-worker pasar-opop-scheduler",
        "curl",
    ]


def test_an_upgrade_that_is_not_ready_rolls_back_to_the_previous_commit(
    server: dict[str, object],
) -> None:
    before = commit_of(server["app"])

    # The new release never gets ready (two tries); the old one answers again.
    result = upgrade(server, "v2.0.0", readyz="503 503 200")

    assert result.returncode != 0
    assert commit_of(server["app"]) == before
    log = Path(str(server["log"])).read_text().splitlines()
    rollback = log[log.index("curl") + 2 :]  # after the two tries at v2.0.0
    assert rollback == [
        f"pip install --quiet --no-input -r {server['app']}/requirements.txt",
        "pybabel compile",
        "systemctl restart pasar-opop-web",
        "systemctl restart pasar-opop-worker pasar-opop-scheduler",
        "curl",
    ]
    assert f"rolled back: {before} runs" in result.stderr
    assert "flask --app wsgi db downgrade 1a2b3c4d5e6f" in result.stderr


def test_an_unknown_release_changes_nothing(server: dict[str, object]) -> None:
    before = commit_of(server["app"])

    result = upgrade(server, "v9.9.9", readyz="200")

    assert result.returncode == 1
    assert "v9.9.9 is not a tag or commit of origin" in result.stderr
    assert commit_of(server["app"]) == before
    assert not Path(str(server["log"])).exists(), "nothing ran, not even the backup"


def test_a_rollback_that_does_not_bring_the_site_back_says_so(server: dict[str, object]) -> None:
    result = upgrade(server, "v2.0.0", readyz="503")

    assert result.returncode != 0
    assert "the rollback did not finish (see above): the site may be down" in result.stderr
