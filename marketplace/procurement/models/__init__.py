"""City agencies (OPD), the procurement roles their members hold, and the procurement workflow's
records: requests, quotations and their rounds, Surat Pesanan, deliveries, BAST, invoices,
payments, the timeline, the agencies' goods budgets and their budget lines.

One module per concept (`agency`, `budget`, `status`, `request`, `order`); everything is
importable from here, as before."""

from marketplace.procurement.models.agency import (
    Agency as Agency,
)
from marketplace.procurement.models.agency import (
    AgencyInvitation as AgencyInvitation,
)
from marketplace.procurement.models.agency import (
    AgencyMember as AgencyMember,
)
from marketplace.procurement.models.agency import (
    Budget as Budget,
)
from marketplace.procurement.models.agency import (
    ProcurementRole as ProcurementRole,
)
from marketplace.procurement.models.budget import (
    BudgetLine as BudgetLine,
)
from marketplace.procurement.models.budget import (
    BudgetRevision as BudgetRevision,
)
from marketplace.procurement.models.frozen import (
    FrozenDocument as FrozenDocument,
)
from marketplace.procurement.models.frozen import (
    FrozenKind as FrozenKind,
)
from marketplace.procurement.models.order import (
    Bast as Bast,
)
from marketplace.procurement.models.order import (
    BastInspector as BastInspector,
)
from marketplace.procurement.models.order import (
    Delivery as Delivery,
)
from marketplace.procurement.models.order import (
    DeliveryLine as DeliveryLine,
)
from marketplace.procurement.models.order import (
    Invoice as Invoice,
)
from marketplace.procurement.models.order import (
    InvoiceLine as InvoiceLine,
)
from marketplace.procurement.models.order import (
    InvoicePayment as InvoicePayment,
)
from marketplace.procurement.models.order import (
    PurchaseOrder as PurchaseOrder,
)
from marketplace.procurement.models.order import (
    PurchaseOrderLine as PurchaseOrderLine,
)
from marketplace.procurement.models.request import (
    ProcurementEvent as ProcurementEvent,
)
from marketplace.procurement.models.request import (
    ProcurementRequest as ProcurementRequest,
)
from marketplace.procurement.models.request import (
    Quotation as Quotation,
)
from marketplace.procurement.models.request import (
    QuotationRound as QuotationRound,
)
from marketplace.procurement.models.request import (
    QuotationRoundLine as QuotationRoundLine,
)
from marketplace.procurement.models.request import (
    RequestLine as RequestLine,
)
from marketplace.procurement.models.signed import (
    SignedDocument as SignedDocument,
)
from marketplace.procurement.models.signed import (
    SignedScan as SignedScan,
)
from marketplace.procurement.models.status import (
    Actor as Actor,
)
from marketplace.procurement.models.status import (
    DeliveryStatus as DeliveryStatus,
)
from marketplace.procurement.models.status import (
    InvoiceStatus as InvoiceStatus,
)
from marketplace.procurement.models.status import (
    OrderStatus as OrderStatus,
)
from marketplace.procurement.models.status import (
    PaymentMethod as PaymentMethod,
)
from marketplace.procurement.models.status import (
    QuotationStatus as QuotationStatus,
)
from marketplace.procurement.models.status import (
    RequestStatus as RequestStatus,
)
from marketplace.procurement.models.status import (
    RoundKind as RoundKind,
)
from marketplace.procurement.models.status import (
    Subject as Subject,
)
