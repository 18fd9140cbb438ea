"""Imports every model so the metadata is complete (Alembic, create_all, the schema test)."""

from marketplace.accounts.models import Address, User
from marketplace.audit import AuditLog
from marketplace.catalogue.models import Category, PriceTier, Product, ProductImage, ProductVariant
from marketplace.cooperatives.models import Cooperative, CooperativeInvitation, CooperativeMember
from marketplace.inventory.models import ImportJob, StockMovement
from marketplace.mail import OutboxEmail
from marketplace.procurement.models import Agency, AgencyMember

__all__ = [
    "Address",
    "Agency",
    "AgencyMember",
    "AuditLog",
    "Category",
    "Cooperative",
    "CooperativeInvitation",
    "CooperativeMember",
    "ImportJob",
    "OutboxEmail",
    "PriceTier",
    "Product",
    "ProductImage",
    "ProductVariant",
    "StockMovement",
    "User",
]
