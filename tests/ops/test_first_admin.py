"""The README's first-administrator step, as an IT officer types it on a fresh server: the
shipped env file filled in, read by `flask --env-file` (comments, a sender with spaces and all),
the password asked for and held to registration's rules."""

from __future__ import annotations

import secrets
import subprocess
import sys
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.extensions import db

ROOT = Path(__file__).resolve().parents[2]


def filled_env_file(tmp_path: Path, database_url: str) -> Path:
    """deploy/env.example with each REPLACE-ME filled in as the README says; mail to the log."""
    lines = []
    for line in (ROOT / "deploy" / "env.example").read_text().splitlines():
        if line.startswith("SECRET_KEY="):
            line = f"SECRET_KEY={secrets.token_hex(32)}"
        elif line.startswith("DATABASE_URL="):
            line = f"DATABASE_URL={database_url}"
        elif line.startswith("MAIL_BACKEND="):
            line = "MAIL_BACKEND=log"
        elif line.startswith("UPLOAD_FOLDER="):
            line = f"UPLOAD_FOLDER={tmp_path / 'uploads'}"
        elif line.startswith("REDIS_URL="):
            line = "# REDIS_URL: not on this machine"
        lines.append(line.replace("REPLACE-ME", "filled-in"))
    env_file = tmp_path / "env"
    env_file.write_text("\n".join(lines) + "\n")
    return env_file


def create_admin(
    env_file: Path, email: str, password_input: str
) -> subprocess.CompletedProcess[str]:
    flask = Path(sys.executable).with_name("flask")
    command = [str(flask), "--env-file", str(env_file), "--app", "wsgi", "create-admin", email]
    # Only what a login shell has: the settings come from the env file, nothing from the suite.
    env = {"PATH": "/usr/bin:/bin", "HOME": str(env_file.parent), "LANG": "C.UTF-8"}
    return subprocess.run(
        [*command, "--name", "Admin Diskop"],
        input=password_input,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_first_admin_is_made_with_the_real_env_file(
    committed_app: Flask, tmp_path: Path
) -> None:
    env_file = filled_env_file(tmp_path, committed_app.config["SQLALCHEMY_DATABASE_URI"])

    weak = create_admin(env_file, "admin@diskopukmperindag.example", "123\n123\n")
    assert weak.returncode != 0
    assert "No account created." in weak.stderr and "--password" in weak.stderr

    password = "Batik-Mojokerto-2026!"
    made = create_admin(env_file, "admin@diskopukmperindag.example", f"{password}\n{password}\n")
    assert made.returncode == 0, made.stdout + made.stderr
    assert "admin@diskopukmperindag.example is a city administrator." in made.stdout
    assert password not in made.stdout + made.stderr  # asked for hidden, never echoed

    with committed_app.app_context():
        admins = db.session.scalars(select(User).where(User.is_city_admin)).all()
        assert [(u.email, u.full_name) for u in admins] == [
            ("admin@diskopukmperindag.example", "Admin Diskop")
        ]
    client = committed_app.test_client()
    response = client.post(
        "/account/login",
        data={"email": "admin@diskopukmperindag.example", "password": password},
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
