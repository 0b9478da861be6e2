"""export pacing shared across processes: export_realm_pacing (one lockable row per realm, with
the pause a 429 imposes) and export_request_starts (every process's request starts, the sliding
log Intuit's limits are checked against).

Revision ID: f3d1b90610ac
Revises: 1518578cbecb
Create Date: 2026-11-26 10:34:17.857582

"""
from alembic import op
import sqlalchemy as sa
import models._types  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = 'f3d1b90610ac'
down_revision = '1518578cbecb'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('export_realm_pacing',
    sa.Column('realm_id', sa.String(length=32), nullable=False),
    sa.Column('paused_until', models._types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', models._types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('realm_id', name=op.f('pk_export_realm_pacing'))
    )
    op.create_table('export_request_starts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('realm_id', sa.String(length=32), nullable=False),
    sa.Column('started_at', models._types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('is_batch', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_export_request_starts'))
    )
    with op.batch_alter_table('export_request_starts', schema=None) as batch_op:
        batch_op.create_index('ix_export_request_starts_realm', ['realm_id', 'started_at'], unique=False)



def downgrade():
    with op.batch_alter_table('export_request_starts', schema=None) as batch_op:
        batch_op.drop_index('ix_export_request_starts_realm')

    op.drop_table('export_request_starts')
    op.drop_table('export_realm_pacing')
