"""checkout prices courier services by the address's region: orders keep the region codes of
the address, each part the courier service chosen (whose rates, its code, how it read); a
cooperative may make courier free from an order's amount; the cooperatives' weight bands,
copied into every zone of their courier tables, are retired

Revision ID: a1f3c5e7b9d2
Revises: c6e1a9d3f7b2
Create Date: 2026-12-07 19:10:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "a1f3c5e7b9d2"
down_revision = "c6e1a9d3f7b2"
branch_labels = None
depends_on = None

REGION_CODES = ("province_code", "regency_code", "district_code", "village_code")
SERVICE_COLUMNS = (
    ("shipping_provider", 20),
    ("courier_service_code", 60),
    ("courier_service", 160),
)


def upgrade():
    with op.batch_alter_table("orders", schema=None) as batch_op:
        for name in REGION_CODES:
            batch_op.add_column(sa.Column(name, sa.String(length=13), nullable=True))
    with op.batch_alter_table("vendor_orders", schema=None) as batch_op:
        for name, length in SERVICE_COLUMNS:
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=True))
    # A plain ADD COLUMN: on SQLite a batch operation would recreate the table under the search
    # triggers that name it. SQLite cannot add the CHECK to an existing table; the forms and
    # the model keep the rule there.
    op.add_column("cooperatives", sa.Column("free_courier_minimum", sa.BigInteger(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.create_check_constraint(
            op.f("ck_cooperatives_free_courier_minimum_positive"),
            "cooperatives",
            "free_courier_minimum IS NULL OR free_courier_minimum > 0",
        )
    op.drop_table("courier_rate_bands")


def downgrade():
    bands = op.create_table(
        "courier_rate_bands",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cooperative_id", sa.Integer(), nullable=False),
        sa.Column("max_weight_grams", sa.Integer(), nullable=False),
        sa.Column("fee", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("fee >= 0", name=op.f("ck_courier_rate_bands_fee_non_negative")),
        sa.CheckConstraint(
            "max_weight_grams > 0", name=op.f("ck_courier_rate_bands_max_weight_positive")
        ),
        sa.ForeignKeyConstraint(
            ["cooperative_id"],
            ["cooperatives.id"],
            name=op.f("fk_courier_rate_bands_cooperative_id_cooperatives"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_courier_rate_bands")),
        sa.UniqueConstraint(
            "cooperative_id", "max_weight_grams", name="uq_courier_rate_bands_cooperative_weight"
        ),
    )
    # The older checkout charged one fee wherever the parcel went: the farthest zone's, so no
    # parcel is charged less than the table allows.
    rows = op.get_bind().execute(
        sa.text(
            "SELECT cooperative_id, max_weight_grams, fee FROM courier_zone_rates"
            " WHERE zone = 'outside_java' ORDER BY cooperative_id, max_weight_grams"
        )
    )
    found = [{"cooperative_id": c, "max_weight_grams": w, "fee": f} for c, w, f in rows]
    if found:
        op.bulk_insert(bands, found)
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(
            op.f("ck_cooperatives_free_courier_minimum_positive"), "cooperatives", type_="check"
        )
    op.drop_column("cooperatives", "free_courier_minimum")
    with op.batch_alter_table("vendor_orders", schema=None) as batch_op:
        for name, _length in reversed(SERVICE_COLUMNS):
            batch_op.drop_column(name)
    with op.batch_alter_table("orders", schema=None) as batch_op:
        for name in reversed(REGION_CODES):
            batch_op.drop_column(name)
