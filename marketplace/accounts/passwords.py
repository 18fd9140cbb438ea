"""Password hashing with Argon2id (argon2-cffi); hashes made with older parameters are
upgraded at the next successful login.

The cost comes from configuration: the default follows OWASP's Argon2id recommendation
(19 MiB, 2 iterations, 1 lane); tests use a cheap setting so the suite stays fast.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
_dummy_hash = _hasher.hash("not-a-real-password")


def configure(app: Flask) -> None:
    """Apply ``PASSWORD_HASH_TIME_COST`` and ``PASSWORD_HASH_MEMORY_KIB``."""
    global _hasher, _dummy_hash
    time_cost = app.config["PASSWORD_HASH_TIME_COST"]
    memory_cost = app.config["PASSWORD_HASH_MEMORY_KIB"]
    if (_hasher.time_cost, _hasher.memory_cost) != (time_cost, memory_cost):
        _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=1)
        # Verified against when the email is unknown, so a login takes as long either way.
        _dummy_hash = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _dummy_hash, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    ours = Path(__file__).with_name("common_passwords_id.txt").read_text(encoding="utf-8")
    extra = {line.strip() for line in ours.splitlines() if line.strip() and line[0] != "#"}
    return frozenset(FREQUENCY_LISTS["passwords"]) | frozenset(extra)


def is_common(password: str) -> bool:
    """True for passwords on the lists attackers try first (case does not help)."""
    return password.lower() in _common_passwords()
