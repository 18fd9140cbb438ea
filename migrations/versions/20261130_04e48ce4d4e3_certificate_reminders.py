"""certificate reminders: one row per (certificate, threshold) sent, so each goes out once

The certificate names its kind, subject and expiry date (halal:product:12:2027-01-31), so a
renewed certificate is reminded about again; the unique constraint makes a second cron run, or
two at once, skip what was sent.

Revision ID: 04e48ce4d4e3
Revises: f484cf23859c
Create Date: 2026-11-30 00:47:40.365886

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '04e48ce4d4e3'
down_revision = 'f484cf23859c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('certificate_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certificate', sa.String(length=120), nullable=False),
    sa.Column('threshold_days', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind = 'halal') = (product_id IS NOT NULL)", name=op.f('ck_certificate_reminders_product_for_halal_only')),
    sa.CheckConstraint("kind IN ('halal', 'pp55')", name=op.f('ck_certificate_reminders_kind')),
    sa.CheckConstraint('threshold_days > 0', name=op.f('ck_certificate_reminders_threshold_days_positive')),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperatives.id'], name=op.f('fk_certificate_reminders_cooperative_id_cooperatives'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_certificate_reminders_product_id_products'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_reminders')),
    sa.UniqueConstraint('certificate', 'threshold_days', name='uq_certificate_reminders_certificate_threshold')
    )
    op.create_index(op.f('ix_certificate_reminders_cooperative_id'), 'certificate_reminders', ['cooperative_id'], unique=False)
    op.create_index(op.f('ix_certificate_reminders_product_id'), 'certificate_reminders', ['product_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_certificate_reminders_product_id'), table_name='certificate_reminders')
    op.drop_index(op.f('ix_certificate_reminders_cooperative_id'), table_name='certificate_reminders')

    op.drop_table('certificate_reminders')
