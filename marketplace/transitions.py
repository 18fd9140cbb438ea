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
move (a deadline pushed later while the status still allows it) and for claims (an email taken
for sending, a periodic task's turn): the row changes only while the guards hold.

A machine whose callers name actions rather than target statuses (the city's decisions on a
cooperative, a product's publication) gives its rows an ``action``; `TransitionTable.for_action`
finds the row and `TransitionTable.actions` lists what may be done from a status. A row's
``action`` is None in the machines keyed by target.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, inspect, update

from marketplace import clock
from marketplace.errors import DomainError
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
    #: The action's name, in a machine whose callers name actions; None in the others.
    action: str | None = None

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
    *,
    action: str | None = None,
) -> Transition[StateT, ActorT, ObjT]:
    """A table row; ``actors`` as any iterable (a set literal reads best in a table)."""
    return Transition(
        source, target, None if actors is None else frozenset(actors), condition, action
    )


def rows(
    sources: Iterable[StateT],
    target: StateT,
    actors: Iterable[ActorT] | None = None,
    condition: Callable[[ObjT], bool] | None = None,
    *,
    action: str | None = None,
) -> list[Transition[StateT, ActorT, ObjT]]:
    """One row per source, for a move allowed from several statuses."""
    return [row(source, target, actors, condition, action=action) for source in sources]


class TransitionTable(Generic[StateT, ActorT, ObjT]):
    """A status machine: the statuses, the allowed moves, and the error for any other move."""

    def __init__(
        self,
        states: type[StateT],
        rows: Iterable[Transition[StateT, ActorT, ObjT]],
        refused: Callable[[StateT, StateT], DomainError],
    ) -> None:
        self.states = states
        self.rows: tuple[Transition[StateT, ActorT, ObjT], ...] = tuple(rows)
        self.refused = refused

    def __iter__(self) -> Iterator[Transition[StateT, ActorT, ObjT]]:
        return iter(self.rows)

    def pairs(self) -> frozenset[tuple[StateT, StateT]]:
        """Every (source, target) the table allows for someone."""
        return frozenset((transition.source, transition.target) for transition in self.rows)

    def sources(self, target: str) -> frozenset[StateT]:
        """Every status the table allows a move to ``target`` from (for a guard in SQL)."""
        return frozenset(t.source for t in self.rows if t.target == target)

    def refuse(self, source: str, target: str) -> DomainError:
        """The machine's own error for ``source → target``, naming both states by their labels."""
        return self.refused(self.states(source), self.states(target))

    def _match(
        self, source: str, target: str, actor: ActorT | None, obj: ObjT | None
    ) -> Transition[StateT, ActorT, ObjT] | None:
        for transition in self.rows:
            if (
                transition.source == source
                and transition.target == target
                and transition.allows(actor, obj)
            ):
                return transition
        return None

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
        found = self._match(source, target, actor, obj)
        if found is None:
            raise self.refuse(source, target)
        return found

    def can_move(
        self,
        source: str,
        target: str,
        *,
        actor: ActorT | None = None,
        obj: ObjT | None = None,
    ) -> bool:
        """Whether `find` would allow the move (for showing or hiding a button)."""
        return self._match(source, target, actor, obj) is not None

    def for_action(
        self,
        action: str,
        source: str,
        *,
        actor: ActorT | None = None,
        obj: ObjT | None = None,
    ) -> Transition[StateT, ActorT, ObjT]:
        """The row of ``action`` allowed from ``source``, or the machine's error (an unknown
        action is refused like a move from ``source`` to itself)."""
        target = source
        for transition in self.rows:
            if transition.action != action:
                continue
            target = transition.target
            if transition.source == source and transition.allows(actor, obj):
                return transition
        raise self.refuse(source, target)

    def actions(
        self, source: str, *, actor: ActorT | None = None, obj: ObjT | None = None
    ) -> list[str]:
        """The actions allowed from ``source``, in the table's order, each once."""
        found: list[str] = []
        for transition in self.rows:
            if (
                transition.action is not None
                and transition.action not in found
                and transition.source == source
                and transition.allows(actor, obj)
            ):
                found.append(transition.action)
        return found


def _rowcount(result: object) -> int:
    return int(result.rowcount)  # type: ignore[attr-defined]  # an UPDATE's result is a CursorResult


def guarded_update(
    obj: Any,
    *guards: ColumnElement[bool],
    values: Mapping[str, Any],
    sources: Iterable[str] | None = None,
    column: str = "status",
) -> bool:
    """``UPDATE <obj's table> SET values WHERE <obj's primary key> AND guards``, after a flush;
    True when the row changed. ``obj`` is a loaded object, or ``(model, primary key)`` for a row
    not loaded (a claim by id). With ``sources``, the row must also have one of those statuses
    (in ``column``). The object's attributes are not refreshed: the caller expires what it
    changed."""
    db.session.flush()  # first: a new object gets its key, pending changes are written
    if isinstance(obj, tuple):
        model, key = obj
        keys = key if isinstance(key, tuple) else (key,)
    else:
        model = type(obj)
        keys = inspect(obj).identity or ()
    columns = inspect(model).primary_key
    if len(keys) != len(columns):
        raise ValueError(f"{model.__name__}: no primary key to guard an update with")
    identity = [column_ == value for column_, value in zip(columns, keys, strict=True)]
    if sources is not None:
        guards = (getattr(model, column).in_(list(sources)), *guards)
    result = db.session.execute(
        update(model)
        .where(*identity, *guards)
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
