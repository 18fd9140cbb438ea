"""Who may use each route: one registry, enforced before every request.

Every view declares a policy with ``@allow(POLICY)``. A request to an endpoint without a declared
policy is refused (fail closed), and a test walks the URL map so no route ships without one.
Domains above this module define their own policies (a cooperative member, an agency role) with
`Policy` and a predicate, so this module never imports upwards.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, abort, current_app, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from marketplace.http import referrer_path

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Policy:
    """A named rule. ``login`` says whether a guest is sent to log in (else refused outright)."""

    name: str
    predicate: Callable[[Any], bool]
    login: bool = True

    def allows(self, user: Any) -> bool:
        return self.predicate(user)


PUBLIC = Policy("public", lambda user: True, login=False)
GUEST_ONLY = Policy("guest_only", lambda user: True, login=False)  # pages for signing in
SIGNED_IN = Policy("signed_in", lambda user: bool(user.is_authenticated))
CITY_ADMIN = Policy("city_admin", lambda user: bool(user.is_authenticated and user.is_city_admin))
#: Machine callers that prove themselves another way (signed webhooks).
SIGNED_REQUEST = Policy("signed_request", lambda user: True, login=False)

_POLICY_ATTR = "_route_policy"


def allow(policy: Policy) -> Callable[[F], F]:
    """Declare who may use the decorated view."""

    def decorate(view: F) -> F:
        setattr(view, _POLICY_ATTR, policy)
        return view

    return decorate


def policy_for(endpoint: str) -> Policy | None:
    """The policy declared for an endpoint, or None when the route declared none."""
    view = current_app.view_functions.get(endpoint)
    if view is None:
        return None
    return getattr(view, _POLICY_ATTR, None)


def _enforce() -> Response | None:
    endpoint = request.endpoint
    if endpoint is None:  # 404 and 405 are answered by the routing layer
        return None
    if endpoint == "static":
        return None
    policy = policy_for(endpoint)
    if policy is None:
        current_app.logger.error("Route %s has no declared policy; refusing.", endpoint)
        abort(403)
    if policy.allows(current_user):
        return None
    if policy.login and not current_user.is_authenticated:
        if request.method in ("GET", "HEAD"):
            return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
        # A form sent after the session ended (a phone's browser closed, a long pause): say
        # why it was not sent, and come back to the page it was on, not to its POST address.
        message = _l("Sesi Anda sudah berakhir, jadi isian tadi tidak terkirim. Masuk lagi.")
        flash(str(message), "info")
        back = referrer_path() or request.full_path.rstrip("?")
        return redirect(url_for("accounts.login", next=back))
    abort(403)


def register_policy_enforcement(app: Flask) -> None:
    app.before_request(_enforce)
