"""agency invitations: the city invites people without an account to a procurement role

Each emailed link is signed and expires; the row lets the city see and revoke what is
outstanding and makes each link usable once.

Revision ID: fcc85703b5a2
Revises: 04e48ce4d4e3
Create Date: 2026-11-30 00:53:20.630673

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'fcc85703b5a2'
down_revision = '04e48ce4d4e3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('agency_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('role', sa.String(length=30), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('pejabat_pengadaan', 'ppk', 'penerima', 'bendahara')", name=op.f('ck_agency_invitations_role')),
    sa.ForeignKeyConstraint(['accepted_by_id'], ['users.id'], name=op.f('fk_agency_invitations_accepted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_agency_invitations_agency_id_agencies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_agency_invitations_invited_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agency_invitations'))
    )
    op.create_index(op.f('ix_agency_invitations_accepted_by_id'), 'agency_invitations', ['accepted_by_id'], unique=False)
    op.create_index('ix_agency_invitations_agency_id_email', 'agency_invitations', ['agency_id', 'email'], unique=False)
    op.create_index(op.f('ix_agency_invitations_invited_by_id'), 'agency_invitations', ['invited_by_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_agency_invitations_invited_by_id'), table_name='agency_invitations')
    op.drop_index('ix_agency_invitations_agency_id_email', table_name='agency_invitations')
    op.drop_index(op.f('ix_agency_invitations_accepted_by_id'), table_name='agency_invitations')

    op.drop_table('agency_invitations')
