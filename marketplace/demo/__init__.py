"""``flask seed-demo``: the pilot's demo data, loaded idempotently.

Everything is looked up by its natural key (slug, email) before it is created, so running the
command twice changes nothing the second time. Stock enters through the inventory module, so the
ledger matches on hand from the start. Product pictures are drawn here with Pillow (no downloads).
"""

from __future__ import annotations

from sqlalchemy import func, select

from marketplace import demo_data
from marketplace.accounts.models import User
from marketplace.demo import shop
from marketplace.demo.complaints import seed_complaints
from marketplace.demo.people import DEMO_PASSWORD
from marketplace.demo.procurement import (
    AGENCIES,
    DEMO_PROCUREMENTS,
    seed_agencies,
    seed_procurements,
)
from marketplace.extensions import db

__all__ = ["DEMO_PASSWORD", "DEMO_PROCUREMENTS", "database_is_empty", "seed_demo"]


def database_is_empty() -> bool:
    return not db.session.scalar(select(func.count()).select_from(User))


def seed_demo() -> str:
    """Load (or complete) the demo data and return a one-line summary."""
    categories = shop.seed_categories()
    shop.seed_shopper()
    shop.seed_admin()
    cooperatives = shop.seed_cooperatives()
    shop.seed_application()
    shop.seed_delivery(cooperatives)
    created = shop.seed_products(cooperatives, categories)
    seed_agencies()
    orders = shop.seed_orders()
    complaints = seed_complaints()
    procurements = seed_procurements()
    db.session.flush()
    return (
        f"Demo data ready: {len(cooperatives)} cooperatives, {len(demo_data.PRODUCTS)} products "
        f"({created} new), {len(AGENCIES)} agencies, {orders} new demo orders, {complaints} new "
        f"demo complaints, {procurements} "
        f"new demo procurements. Password for every demo account: {DEMO_PASSWORD}"
    )
