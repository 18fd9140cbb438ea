"""city administrators may cancel vendor orders: 'city_admin' joins the timeline's actors

Only the CHECK constraint on vendor_order_events.actor_kind changes (autogenerate does not
compare CHECK constraints, so this revision is written by hand). SQLite rebuilds the table in
batch mode; PostgreSQL drops and recreates the constraint.

Revision ID: 19dc6eb5820b
Revises: fcc85703b5a2
Create Date: 2026-11-30 00:40:11.214353

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '19dc6eb5820b'
down_revision = 'fcc85703b5a2'
branch_labels = None
depends_on = None

OLD = "actor_kind IN ('shopper', 'cooperative', 'payment', 'system')"
NEW = "actor_kind IN ('shopper', 'cooperative', 'payment', 'system', 'city_admin')"


def _replace(condition):
    with op.batch_alter_table('vendor_order_events', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_vendor_order_events_actor_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_vendor_order_events_actor_kind'), condition)


def upgrade():
    _replace(NEW)


def downgrade():
    # The timeline keeps its steps; an administrator's becomes the system's.
    op.execute("UPDATE vendor_order_events SET actor_kind = 'system' WHERE actor_kind = 'city_admin'")
    _replace(OLD)
