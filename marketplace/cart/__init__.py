"""The cart: lines of product variants, a guest cart behind a signed cookie, merged at login."""

from typing import Any

from flask import Blueprint, g, has_request_context
from flask.blueprints import BlueprintSetupState
from flask_login import current_user, user_logged_in

from marketplace.cart import guest
from marketplace.jobs import periodic

bp = Blueprint("cart", __name__, url_prefix="/cart")
periodic("cart.purge", "marketplace.cart.cli:purge_stale_guest_carts", 86400)


@bp.record_once
def _connect_login_signal(state: BlueprintSetupState) -> None:
    # accounts sits below the cart and must not import it: the cart listens to the login instead.
    user_logged_in.connect(guest.merge_at_login, state.app)


bp.after_app_request(guest.write_cookie)


def _cart_count() -> int:
    """Items in this visitor's cart, counted once per request and only when a page asks."""
    if "cart_count" not in g:
        from marketplace.cart.services import item_count

        g.cart_count = item_count(current_user, guest.guest_token())
    return int(g.cart_count)


@bp.app_context_processor
def _cart_context() -> dict[str, Any]:
    return {"cart_count": _cart_count} if has_request_context() else {}


from marketplace.cart import routes  # noqa: E402,F401
