"""interactions handled once: a key per delivery with its expiry

Revision ID: 0005_handled_requests
Revises: 0004_walks_ritual_owned
"""

import sqlalchemy as sa
from alembic import op

revision = '0005_handled_requests'
down_revision = '0004_walks_ritual_owned'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'handled_request',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key'),
    )
    op.create_index('ix_handled_request_expires_at', 'handled_request', ['expires_at'])


def downgrade() -> None:
    op.drop_index('ix_handled_request_expires_at', 'handled_request')
    op.drop_table('handled_request')
