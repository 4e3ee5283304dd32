"""firing leases: owner's expiry, the moment before the first platform call, where it went, why it failed

Revision ID: 0003_replica_leases
Revises: 0002_admin
"""

import sqlalchemy as sa
from alembic import op

revision = '0003_replica_leases'
down_revision = '0002_admin'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('firing') as batch:
        batch.add_column(sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('started_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('target', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('cause', sa.String(length=100), nullable=True))
    op.create_index('ix_firing_lease', 'firing', ['status', 'lease_until'])
    # A firing left 'running' before leases existed: nobody can tell whether it went out.
    op.execute("UPDATE firing SET status = 'failed', cause = 'interrupted' WHERE status = 'running'")


def downgrade() -> None:
    op.drop_index('ix_firing_lease', 'firing')
    with op.batch_alter_table('firing') as batch:
        batch.drop_column('cause')
        batch.drop_column('target')
        batch.drop_column('started_at')
        batch.drop_column('lease_until')
