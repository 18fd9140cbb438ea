"""Functions the job tests enqueue by their dotted path."""

from __future__ import annotations

calls: list[str] = []


def remember(value: str) -> None:
    calls.append(value)


def always_fails(value: str) -> None:
    calls.append(f"failed {value}")
    raise RuntimeError(f"cannot do {value}")


def tick() -> None:
    calls.append("tick")


def tick_and_fail() -> None:
    calls.append("tick")
    raise RuntimeError("the periodic task failed")
