"""shipping: each cooperative's courier fees by destination zone and weight band; the weight
bands it had become every zone's bands

Revision ID: b4d8e2f6a9c3
Revises: c7d9e3a5b1f2
Create Date: 2026-12-07 15:40:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "b4d8e2f6a9c3"
down_revision = "c7d9e3a5b1f2"
branch_labels = None
depends_on = None

ZONES = ("district", "city", "east_java", "java", "outside_java")


def upgrade():
    rates = op.create_table(
        "courier_zone_rates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cooperative_id", sa.Integer(), nullable=False),
        sa.Column("zone", sa.String(length=20), nullable=False),
        sa.Column("max_weight_grams", sa.Integer(), nullable=False),
        sa.Column("fee", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "zone IN (" + ", ".join(f"'{zone}'" for zone in ZONES) + ")",
            name=op.f("ck_courier_zone_rates_zone"),
        ),
        sa.CheckConstraint(
            "max_weight_grams > 0", name=op.f("ck_courier_zone_rates_max_weight_positive")
        ),
        sa.CheckConstraint("fee >= 0", name=op.f("ck_courier_zone_rates_fee_non_negative")),
        sa.ForeignKeyConstraint(
            ["cooperative_id"],
            ["cooperatives.id"],
            name=op.f("fk_courier_zone_rates_cooperative_id_cooperatives"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_courier_zone_rates")),
        sa.UniqueConstraint(
            "cooperative_id", "zone", "max_weight_grams", name="uq_courier_zone_rates_band"
        ),
    )
    op.create_index(
        op.f("ix_courier_zone_rates_cooperative_id"),
        "courier_zone_rates",
        ["cooperative_id"],
        unique=False,
    )
    # A cooperative's weight bands applied wherever the parcel went: they become the bands of
    # every zone, so nobody's courier fee changes until the cooperative edits its table.
    bands = op.get_bind().execute(
        sa.text("SELECT cooperative_id, max_weight_grams, fee FROM courier_rate_bands"
            " ORDER BY cooperative_id, max_weight_grams")
    )
    rows = [
        {"cooperative_id": c, "zone": zone, "max_weight_grams": w, "fee": f}
        for c, w, f in bands
        for zone in ZONES
    ]
    if rows:
        op.bulk_insert(rates, rows)


def downgrade():
    # The weight bands are still there (checkout reads them until it asks the zone table).
    op.drop_index(op.f("ix_courier_zone_rates_cooperative_id"), table_name="courier_zone_rates")
    op.drop_table("courier_zone_rates")
