"""client matching state: the copy of each company's customers, stored match proposals, and
pending "Add to QuickBooks" creations (written with their requestid before sending).

Revision ID: 5a1c0e6b7d20
Revises: e808b2d69546
Create Date: 2026-11-26 11:40:00

"""
from alembic import op
import sqlalchemy as sa
import models._types  # noqa: F401  (custom column types)


revision = '5a1c0e6b7d20'
down_revision = 'e808b2d69546'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('qbo_customer_list_state',
    sa.Column('realm_id', sa.String(length=32), nullable=False),
    sa.Column('fetched_at', models._types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('customer_count', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('realm_id')
    )
    op.create_table('qbo_customer_copies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('realm_id', sa.String(length=32), nullable=False),
    sa.Column('qbo_id', sa.String(length=32), nullable=False),
    sa.Column('display_name', sa.String(length=500), nullable=False),
    sa.Column('fully_qualified_name', sa.String(length=1000), nullable=False),
    sa.Column('parent_qbo_id', sa.String(length=32), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('realm_id', 'qbo_id', name='one_copy_per_customer')
    )
    with op.batch_alter_table('qbo_customer_copies', schema=None) as batch_op:
        batch_op.create_index('ix_qbo_customer_copies_realm_name', ['realm_id', 'display_name'], unique=False)
    op.create_table('match_proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('realm_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.Enum('client', 'payer', name='proposalkind', native_enum=False, length=20), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('qbo_customer_id', sa.String(length=32), nullable=True),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('alternatives', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('realm_id', 'kind', 'subject_id', name='one_proposal_per_subject')
    )
    op.create_table('pending_customer_creations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('realm_id', sa.String(length=32), nullable=False),
    sa.Column('link_kind', sa.String(length=30), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.Column('payer_id', sa.Integer(), nullable=True),
    sa.Column('parent_qbo_id', sa.String(length=32), nullable=True),
    sa.Column('display_name', sa.String(length=500), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('request_id', sa.String(length=36), nullable=False),
    sa.Column('bid', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'name_taken', 'failed', 'done', name='creationstatus', native_enum=False, length=20), nullable=False),
    sa.Column('ambiguous', sa.Boolean(), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=False),
    sa.Column('qbo_customer_id', sa.String(length=32), nullable=True),
    sa.Column('conflict_customer_id', sa.String(length=32), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', models._types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', models._types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['payer_id'], ['payers.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('pending_customer_creations', schema=None) as batch_op:
        batch_op.create_index('ix_pending_creations_realm_status', ['realm_id', 'status'], unique=False)


def downgrade():
    with op.batch_alter_table('pending_customer_creations', schema=None) as batch_op:
        batch_op.drop_index('ix_pending_creations_realm_status')
    op.drop_table('pending_customer_creations')
    op.drop_table('match_proposals')
    with op.batch_alter_table('qbo_customer_copies', schema=None) as batch_op:
        batch_op.drop_index('ix_qbo_customer_copies_realm_name')
    op.drop_table('qbo_customer_copies')
    op.drop_table('qbo_customer_list_state')
