"""The lock files pin every installed package with its hashes, agree with the hand-edited
requirements, and are what every install path uses: development, the tests, CI, the Dockerfile
and the production steps run the same packages."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)", re.MULTILINE)


def _name(raw: str) -> str:
    return re.sub(r"[-_.]+", "-", raw).lower()


def pins(path: Path) -> dict[str, str]:
    return {_name(name): version for name, version in PIN.findall(path.read_text())}


def test_every_locked_package_carries_hashes() -> None:
    for lock in ("requirements.lock", "requirements-dev.lock"):
        entries = re.split(r"\n(?=[A-Za-z0-9])", (ROOT / lock).read_text())
        packages = [entry for entry in entries if PIN.match(entry)]
        assert len(packages) == len(pins(ROOT / lock)) > 20, lock
        for entry in packages:
            assert "--hash=sha256:" in entry, f"{lock}: {entry.splitlines()[0]} has no hash"


def test_the_locks_hold_the_hand_pinned_versions() -> None:
    runtime, dev = pins(ROOT / "requirements.lock"), pins(ROOT / "requirements-dev.lock")
    for name, version in pins(ROOT / "requirements.txt").items():
        assert runtime.get(name) == version, f"requirements.lock: {name} is not {version}"
    for name, version in pins(ROOT / "requirements-dev.txt").items():
        assert dev.get(name) == version, f"requirements-dev.lock: {name} is not {version}"
    # Development and the tests run the production packages at production's versions.
    assert {name: dev.get(name) for name in runtime} == runtime


def test_every_install_path_uses_the_lock() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install --quiet --require-hashes -r requirements.lock" in makefile
    assert "pip install --quiet --require-hashes -r requirements-dev.lock" in makefile
    assert "--require-hashes -r requirements.lock" in (ROOT / "deploy" / "Dockerfile").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "--require-hashes -r requirements.lock" in readme
    assert "pip install -r requirements.txt" not in readme
