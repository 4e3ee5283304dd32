"""the walk table belongs to walk_and_listen now: ownership only, no row touched

The `walk` table (created in 0001_foundation) keeps its name, columns and rows; its
model moved from bot/store/models.py to rituals/walk_store.py, which declares it to the
core (`Ritual.tables`). Nothing is copied or renamed, on purpose: a copy could lose walks
written by a replica still running the previous version during a rolling upgrade, and a
rename would break that replica outright. This revision marks the moment in the chain, so
`ritualbot migrate` reports it and a later change to the table chains after it.

Revision ID: 0004_walks_ritual_owned
Revises: 0003_replica_leases
"""

revision = '0004_walks_ritual_owned'
down_revision = '0003_replica_leases'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # ownership only: the table, its constraint, index and rows stay as they are


def downgrade() -> None:
    pass  # the previous version finds its `walk` table as it left it
