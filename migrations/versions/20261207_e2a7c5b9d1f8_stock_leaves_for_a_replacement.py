"""stock movements: goods sent again for a complaint settled with a replacement

Revision ID: e2a7c5b9d1f8
Revises: b3d9f1a7c5e2
Create Date: 2026-12-07 14:10:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e2a7c5b9d1f8'
down_revision = 'b3d9f1a7c5e2'
branch_labels = None
depends_on = None

BEFORE = ('initial', 'restock', 'correction', 'damage', 'loss', 'sale', 'return')
AFTER = (*BEFORE, 'replacement')


def _reasons(values):
    listed = ", ".join(f"'{value}'" for value in values)
    with op.batch_alter_table('stock_movements', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_stock_movements_reason'), type_='check')
        batch_op.create_check_constraint(op.f('ck_stock_movements_reason'), f"reason IN ({listed})")


def upgrade():
    _reasons(AFTER)


def downgrade():
    # A replacement sent is goods that left on hand: a correction, as far as older code knows.
    op.execute("UPDATE stock_movements SET reason = 'correction' WHERE reason = 'replacement'")
    _reasons(BEFORE)
