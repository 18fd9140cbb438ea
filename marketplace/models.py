"""Imports every model so the metadata is complete (Alembic, create_all, the schema test)."""

from marketplace.accounts.models import Address, User, UserSession
from marketplace.audit import AuditLog
from marketplace.cart.models import Cart, CartLine
from marketplace.catalogue.models import Category, PriceTier, Product, ProductImage, ProductVariant
from marketplace.certificates.models import CertificateReminder
from marketplace.complaints.models import Complaint, ComplaintLine, ComplaintPhoto
from marketplace.cooperatives.models import (
    Cooperative,
    CooperativeInvitation,
    CooperativeMember,
)
from marketplace.inventory.models import ImportJob, StockMovement
from marketplace.jobs import FailedJob, PeriodicRun
from marketplace.mail import OutboxEmail
from marketplace.messages.models import OrderMessage
from marketplace.notifications.models import Notification, NotificationPreference
from marketplace.orders.models import Order, OrderLine, VendorOrder, VendorOrderEvent
from marketplace.payments.models import (
    CooperativePayout,
    Payment,
    PaymentAllocation,
    PaymentEvent,
    Refund,
    SettlementEntry,
    StripeEvent,
)
from marketplace.payments.reconciliation_models import (
    ReconciliationDifference,
    ReconciliationRun,
)
from marketplace.procurement.models import (
    Agency,
    AgencyInvitation,
    AgencyMember,
    Bast,
    Budget,
    BudgetLine,
    BudgetRevision,
    Delivery,
    DeliveryLine,
    Invoice,
    InvoiceLine,
    InvoicePayment,
    ProcurementEvent,
    ProcurementRequest,
    PurchaseOrder,
    PurchaseOrderLine,
    Quotation,
    QuotationRound,
    QuotationRoundLine,
    RequestLine,
)
from marketplace.regions.models import Region
from marketplace.reviews.models import Review, ReviewPhoto, ReviewReport
from marketplace.settings import Setting
from marketplace.shipping.models import CourierZoneRate

__all__ = [
    "Address",
    "Agency",
    "AgencyInvitation",
    "AgencyMember",
    "AuditLog",
    "Bast",
    "Budget",
    "BudgetLine",
    "BudgetRevision",
    "Cart",
    "CartLine",
    "Category",
    "CertificateReminder",
    "Complaint",
    "ComplaintLine",
    "ComplaintPhoto",
    "Cooperative",
    "CooperativeInvitation",
    "CooperativeMember",
    "CooperativePayout",
    "CourierZoneRate",
    "Delivery",
    "DeliveryLine",
    "FailedJob",
    "ImportJob",
    "Invoice",
    "InvoiceLine",
    "InvoicePayment",
    "Notification",
    "NotificationPreference",
    "Order",
    "OrderLine",
    "OrderMessage",
    "OutboxEmail",
    "Payment",
    "PaymentAllocation",
    "PaymentEvent",
    "PeriodicRun",
    "PriceTier",
    "ProcurementEvent",
    "ProcurementRequest",
    "Product",
    "ProductImage",
    "ProductVariant",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "Quotation",
    "QuotationRound",
    "QuotationRoundLine",
    "ReconciliationDifference",
    "ReconciliationRun",
    "Refund",
    "Region",
    "RequestLine",
    "Review",
    "ReviewPhoto",
    "ReviewReport",
    "Setting",
    "SettlementEntry",
    "StockMovement",
    "StripeEvent",
    "User",
    "UserSession",
    "VendorOrder",
    "VendorOrderEvent",
]
