"""One shape for every status machine, and one way to apply a move.

A machine is a `TransitionTable`: its status enum, its rows and the error it raises. A row
(`Transition`) names the source and the target, who may make the move (``actors``; None when the
machine does not name actors, as the payment's does not) and, where the move depends on the
object, a condition. `TransitionTable.find` returns the row allowing a move or raises the
machine's own error (a `TransitionRefused` naming both states); anything not in the table is
refused.

`guarded_move` applies a move the table allowed: flush, then ``UPDATE ... SET status = target
WHERE id = :id AND status = source`` and check the row count, so two people (or a person and a
cron run) acting at once cannot both move the object: the second one reads the fresh status and
gets the machine's error. `guarded_update` is the same guarded write for changes that are no
move (a deadline pushed later while the status still allows it).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, update

from marketplace import clock
from marketplace.errors import TransitionRefused
from marketplace.extensions import db

StateT = TypeVar("StateT", bound=enum.StrEnum)
ActorT = TypeVar("ActorT")
ObjT = TypeVar("ObjT")


@dataclass(frozen=True)
class Transition(Generic[StateT, ActorT, ObjT]):
    """One allowed move of a status machine."""

    source: StateT
    target: StateT
    #: Who may make the move; None: the machine does not name actors (anyone who gets here).
    actors: frozenset[ActorT] | None = None
    #: What must hold of the object for the move to be allowed; None: nothing more.
    condition: Callable[[ObjT], bool] | None = None

    def allows(self, actor: ActorT | None, obj: ObjT | None) -> bool:
        """Whether ``actor`` may make this move on ``obj`` (the states are matched by the table).
        A row naming actors needs one of them; a row with a condition needs the object."""
        if self.actors is not None and (actor is None or actor not in self.actors):
            return False
        return self.condition is None or (obj is not None and self.condition(obj))


def row(
    source: StateT,
    target: StateT,
    actors: Iterable[ActorT] | None = None,
    condition: Callable[[ObjT], bool] | None = None,
) -> Transition[StateT, ActorT, ObjT]:
    """A table row; ``actors`` as any iterable (a set literal reads best in a table)."""
    return Transition(source, target, None if actors is None else frozenset(actors), condition)


class TransitionTable(Generic[StateT, ActorT, ObjT]):
    """A status machine: the statuses, the allowed moves, and the error for any other move."""

    def __init__(
        self,
        states: type[StateT],
        rows: Iterable[Transition[StateT, ActorT, ObjT]],
        refused: Callable[[StateT, StateT], TransitionRefused],
    ) -> None:
        self.states = states
        self.rows: tuple[Transition[StateT, ActorT, ObjT], ...] = tuple(rows)
        self.refused = refused

    def __iter__(self) -> Iterator[Transition[StateT, ActorT, ObjT]]:
        return iter(self.rows)

    def pairs(self) -> frozenset[tuple[StateT, StateT]]:
        """Every (source, target) the table allows for someone."""
        return frozenset((transition.source, transition.target) for transition in self.rows)

    def refuse(self, source: str, target: str) -> TransitionRefused:
        """The machine's own error for ``source → target``, naming both states by their labels."""
        return self.refused(self.states(source), self.states(target))

    def find(
        self,
        source: str,
        target: str,
        *,
        actor: ActorT | None = None,
        obj: ObjT | None = None,
    ) -> Transition[StateT, ActorT, ObjT]:
        """The first row allowing ``actor`` to move ``obj`` from ``source`` to ``target``, or the
        machine's error."""
        for transition in self.rows:
            if (
                transition.source == source
                and transition.target == target
                and transition.allows(actor, obj)
            ):
                return transition
        raise self.refuse(source, target)

    def can_move(
        self,
        source: str,
        target: str,
        *,
        actor: ActorT | None = None,
        obj: ObjT | None = None,
    ) -> bool:
        """Whether `find` would allow the move (for showing or hiding a button)."""
        try:
            self.find(source, target, actor=actor, obj=obj)
        except TransitionRefused:
            return False
        return True


def _rowcount(result: object) -> int:
    return int(result.rowcount)  # type: ignore[attr-defined]  # an UPDATE's result is a CursorResult


def guarded_update(obj: Any, *guards: ColumnElement[bool], values: Mapping[str, Any]) -> bool:
    """``UPDATE <obj's table> SET values WHERE id = obj.id AND guards``, after a flush; True when
    the row changed. The object's attributes are not refreshed: the caller expires what it
    changed."""
    model = type(obj)
    db.session.flush()
    result = db.session.execute(
        update(model)
        .where(model.id == obj.id, *guards)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result) == 1


def guarded_move(
    table: TransitionTable[Any, Any, Any],
    obj: Any,
    target: str,
    *,
    source: str,
    values: Mapping[str, Any] | None = None,
    column: str = "status",
) -> None:
    """Move ``obj`` from ``source`` to ``target`` with a guarded update (``values`` change with
    it; ``updated_at`` is set when the model has one, unless ``values`` sets it).

    When the row no longer has ``source`` (someone else moved it first: another tab, the other
    party, a second cron run), the object is refreshed and the machine's error names the status
    it has now. On success the object is expired, so it reads the new row.
    """
    model = type(obj)
    changes: dict[str, Any] = {column: target}
    if hasattr(model, "updated_at"):
        changes["updated_at"] = clock.now()
    changes.update(values or {})
    if not guarded_update(obj, getattr(model, column) == source, values=changes):
        db.session.refresh(obj)
        raise table.refuse(getattr(obj, column), target)
    db.session.expire(obj)
