"""regions: Indonesia's regions by Kemendagri code (filled by `flask regions load`), and the
region codes of saved addresses (empty for older addresses until matched or chosen again)

Revision ID: b3d9f1a7c5e2
Revises: a6c3e9f1d2b4
Create Date: 2026-12-07 13:10:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "b3d9f1a7c5e2"
down_revision = "a6c3e9f1d2b4"
branch_labels = None
depends_on = None

CODES = ("province_code", "regency_code", "district_code", "village_code")


def upgrade():
    op.create_table(
        "regions",
        sa.Column("code", sa.String(length=13), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("parent_code", sa.String(length=13), nullable=True),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("search_name", sa.String(length=80), nullable=False),
        sa.Column("postal_code", sa.String(length=5), nullable=True),
        sa.CheckConstraint("level BETWEEN 1 AND 4", name=op.f("ck_regions_level_range")),
        sa.CheckConstraint(
            "postal_code IS NULL OR length(postal_code) = 5",
            name=op.f("ck_regions_postal_code_length"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_regions")),
    )
    op.create_index(
        "ix_regions_parent_search",
        "regions",
        ["parent_code", "search_name"],
        postgresql_ops={"search_name": "text_pattern_ops"},
    )
    op.create_index(
        "ix_regions_level_search",
        "regions",
        ["level", "search_name"],
        postgresql_ops={"search_name": "text_pattern_ops"},
    )
    # Plain columns (no foreign key): a region table loaded for one province only, or a code
    # retired by a later Kemendagri decree, never blocks or loses a saved address.
    for name in CODES:
        op.add_column("addresses", sa.Column(name, sa.String(length=13), nullable=True))


def downgrade():
    for name in reversed(CODES):
        op.drop_column("addresses", name)
    op.drop_index("ix_regions_level_search", table_name="regions")
    op.drop_index("ix_regions_parent_search", table_name="regions")
    op.drop_table("regions")
