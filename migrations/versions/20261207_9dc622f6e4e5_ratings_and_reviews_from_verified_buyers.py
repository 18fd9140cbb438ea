"""reviews: ratings and reviews of purchased order lines (one per line), their photos, reports
of abuse; the products' stored rating counters (rating_count, rating_sum)

On SQLite the product columns are added with a plain ALTER TABLE, never in batch mode:
recreating the products table would drop the full-text triggers (see the product_search
migration). No review exists yet, so the counters start at zero.

Revision ID: 9dc622f6e4e5
Revises: f7b3d5e9a1c6
Create Date: 2026-12-07 06:54:01.596905

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9dc622f6e4e5'
down_revision = 'f7b3d5e9a1c6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_line_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('stars', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('hidden_reason', sa.Text(), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('open_reports', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'visible', 'hidden')", name=op.f('ck_reviews_status')),
    sa.CheckConstraint('stars BETWEEN 1 AND 5', name=op.f('ck_reviews_stars_range')),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_reviews_answered_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['cooperative_id'], ['cooperatives.id'], name=op.f('fk_reviews_cooperative_id_cooperatives'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['order_line_id'], ['order_lines.id'], name=op.f('fk_reviews_order_line_id_order_lines'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_reviews_product_id_products'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reviews_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews')),
    sa.UniqueConstraint('order_line_id', name='uq_reviews_order_line')
    )
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.create_index('ix_reviews_cooperative_created', ['cooperative_id', 'created_at'], unique=False)
        batch_op.create_index('ix_reviews_product_status_created', ['product_id', 'status', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_reviews_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_reviews_user_id'), ['user_id'], unique=False)

    op.create_table('review_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('storage_key', sa.String(length=200), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_review_photos_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_photos')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_review_photos_storage_key'))
    )
    with op.batch_alter_table('review_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_photos_review_id'), ['review_id'], unique=False)

    op.create_table('review_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_review_reports_review_id_reviews'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_review_reports_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_reports')),
    sa.UniqueConstraint('review_id', 'user_id', name='uq_review_reports_user')
    )
    with op.batch_alter_table('review_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_reports_review_id'), ['review_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_reports_user_id'), ['user_id'], unique=False)

    op.add_column('products', sa.Column('rating_count', sa.Integer(), server_default='0', nullable=False))
    op.add_column('products', sa.Column('rating_sum', sa.Integer(), server_default='0', nullable=False))



def downgrade():
    op.drop_column('products', 'rating_sum')
    op.drop_column('products', 'rating_count')

    with op.batch_alter_table('review_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_reports_user_id'))
        batch_op.drop_index(batch_op.f('ix_review_reports_review_id'))

    op.drop_table('review_reports')
    with op.batch_alter_table('review_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_photos_review_id'))

    op.drop_table('review_photos')
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reviews_user_id'))
        batch_op.drop_index(batch_op.f('ix_reviews_status'))
        batch_op.drop_index('ix_reviews_product_status_created')
        batch_op.drop_index('ix_reviews_cooperative_created')

    op.drop_table('reviews')
