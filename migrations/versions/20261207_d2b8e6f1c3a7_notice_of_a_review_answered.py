"""notifications: a kind for a review answered by the cooperative ('review_answered')

Revision ID: d2b8e6f1c3a7
Revises: b3f1d7a2c9e4
Create Date: 2026-12-07 08:00:00

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "d2b8e6f1c3a7"
down_revision = "b3f1d7a2c9e4"
branch_labels = None
depends_on = None

BEFORE = ("transfer_proof", "part_cancelled", "payout", "procurement")
AFTER = BEFORE + ("review_answered",)
TABLES = ("notifications", "notification_preferences")


def _kinds(kinds):
    return "kind IN (" + ", ".join(f"'{kind}'" for kind in kinds) + ")"


def _replace_check(kinds):
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_kind"), type_="check")
            batch_op.create_check_constraint(op.f(f"ck_{table}_kind"), _kinds(kinds))


def upgrade():
    _replace_check(AFTER)


def downgrade():
    op.execute(f"DELETE FROM notifications WHERE NOT ({_kinds(BEFORE)})")
    op.execute(f"DELETE FROM notification_preferences WHERE NOT ({_kinds(BEFORE)})")
    _replace_check(BEFORE)
