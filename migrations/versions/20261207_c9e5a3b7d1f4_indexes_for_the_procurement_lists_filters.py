"""procurement: indexes for the lists' period filters (requests by day made and day sent, Surat
Pesanan by day issued for the agency and the cooperative, invoices by day paid)

Revision ID: c9e5a3b7d1f4
Revises: b7d3e1f9a2c4
Create Date: 2026-12-07 13:00:00

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "c9e5a3b7d1f4"
down_revision = "b7d3e1f9a2c4"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_procurement_requests_agency_id_created_at", "procurement_requests", ["agency_id", "created_at"]),
    ("ix_procurement_requests_sent_at", "procurement_requests", ["sent_at"]),
    (
        "ix_procurement_purchase_orders_agency_id_issued_at",
        "procurement_purchase_orders",
        ["agency_id", "issued_at"],
    ),
    (
        "ix_procurement_purchase_orders_cooperative_id_issued_at",
        "procurement_purchase_orders",
        ["cooperative_id", "issued_at"],
    ),
    (
        "ix_procurement_invoices_cooperative_id_paid_at",
        "procurement_invoices",
        ["cooperative_id", "paid_at"],
    ),
)


def upgrade():
    # Plain CREATE INDEX on both databases: no table is rebuilt.
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade():
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
