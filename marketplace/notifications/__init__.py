"""Notifications for everyone: an in-app notice for the person who must act next (the header
shows the unread count on every page), an email through the outbox unless the person turned
email off for that kind of event, a wa.me link where the notice is about an order, and (when
the WhatsApp Business Cloud API is set up, `whatsapp`) a WhatsApp message to those who opted in.

Orders, payments and procurement call `services.notify` where an event waits for someone; the
package sits just above accounts, so every domain may import it.
"""

from typing import Any

from flask import Blueprint

from marketplace.jobs import periodic

bp = Blueprint("notifications", __name__, url_prefix="/account/notifications")
#: Notices by WhatsApp left for the sweep, and those due for another try (a no-op while
#: WhatsApp is not set up).
periodic("whatsapp.send_pending", "marketplace.notifications.whatsapp:send_pending", 60)


@bp.app_context_processor
def _navigation() -> dict[str, Any]:
    """The header's unread count, counted only when a page shows it."""
    from marketplace.notifications.services import header_unread

    return {"notifications_unread": header_unread}


from marketplace.notifications import routes  # noqa: E402,F401
