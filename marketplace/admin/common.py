"""Small helpers shared by the city workspace's views."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_login import current_user
from wtforms import Form

from marketplace.accounts.models import User
from marketplace.admin import agency_invitations_bp, bp
from marketplace.errors import DomainError
from marketplace.paging import page_from
from marketplace.procurement.models import ProcurementRole


def actor() -> User:
    """The signed-in administrator (every admin route's policy admits administrators only)."""
    user: User = current_user._get_current_object()
    assert user.is_city_admin, "the route's policy admits city administrators only"
    return user


def attach(form: Form, error: DomainError, field_name: str) -> None:
    """Show a service's refusal next to the field it is about."""
    field = form[field_name]
    field.errors = [*field.errors, error.message]


def page_number() -> int:
    value = request.args.get("page", "1")
    return page_from(value)


def role_label(role: str) -> str:
    """A procurement role's name in the user's language."""
    try:
        return ProcurementRole(role).label
    except ValueError:
        return role


@bp.context_processor
def _workspace_context() -> dict[str, Any]:
    from marketplace.admin.dashboard import month_label, percent

    return {
        "role_label": role_label,
        "percent": percent,
        "month_label": month_label,
    }


@agency_invitations_bp.context_processor
def _invitation_context() -> dict[str, Any]:
    return {"role_label": role_label}
