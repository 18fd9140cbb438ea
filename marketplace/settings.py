"""Settings the city changes at run time, kept in the database (a small key/value table).

Configuration that differs between machines lives in `config.py`; what the administrators switch
on and off from their workspace (product moderation, for one) lives here, so every app server
sees the same value at once. Each known setting has a default, used until it is first saved.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from marketplace import audit
from marketplace.database import utcnow
from marketplace.extensions import Model, db

#: New products wait for the city's approval before they appear in the catalogue.
PRODUCT_MODERATION = "catalogue.product_moderation"

#: Groups of interchangeable words for the catalogue search (`catalogue.synonyms`).
SEARCH_SYNONYMS = "catalogue.search_synonyms"
#: Each day every cooperative's available balance is paid out through the gateway
#: (`payments.payout_schedule`).
AUTOMATIC_PAYOUTS = "payments.automatic_payouts"

#: New reviews wait for the city's approval before they appear (`reviews.moderation`).
REVIEW_MODERATION = "reviews.review_moderation"

DEFAULTS: dict[str, Any] = {
    PRODUCT_MODERATION: False,
    REVIEW_MODERATION: False,
    SEARCH_SYNONYMS: [["jilbab", "hijab"], ["sandal", "sendal"]],
    AUTOMATIC_PAYOUTS: False,
}


class Setting(Model):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )


def get_setting(key: str) -> Any:
    """The saved value, or the setting's default."""
    if key not in DEFAULTS:
        raise KeyError(key)
    setting = db.session.get(Setting, key)
    return DEFAULTS[key] if setting is None else setting.value


def set_setting(key: str, value: Any, actor_id: int) -> None:
    """Save a setting (audited with the old and new value). Callers check who may change it."""
    if key not in DEFAULTS:
        raise KeyError(key)
    previous = get_setting(key)
    setting = db.session.get(Setting, key)
    if setting is None:
        setting = Setting(key=key, value=value, updated_by_id=actor_id)
        db.session.add(setting)
    else:
        setting.value = value
        setting.updated_by_id = actor_id
    db.session.flush()
    if previous != value:
        audit.record(
            "setting.changed",
            None,
            actor_id=actor_id,
            data={"key": key, "from": previous, "to": value},
        )
