"""What the cooperative workspace's screens share: the signed-in member's membership and
cooperative, and showing a form's errors."""

from __future__ import annotations

from flask_babel import get_locale
from flask_login import current_user
from wtforms import Form

from marketplace.cooperatives.access import membership_of
from marketplace.cooperatives.models import CooperativeMember
from marketplace.errors import DomainError


def current_membership() -> CooperativeMember:
    membership = membership_of(current_user)
    assert membership is not None, "the route's policy admits members only"
    return membership


def current_cooperative_id() -> int:
    return current_membership().cooperative_id


def attach(form: Form, error: DomainError, default_field: str) -> None:
    """Show a service's refusal next to the field it is about."""
    name = getattr(error, "field", None) or default_field
    field = form[name] if name in form else form[default_field]
    field.errors = [*field.errors, error.message]


def locale() -> str:
    return str(get_locale())
