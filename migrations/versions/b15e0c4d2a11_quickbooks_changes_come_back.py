"""what happens in QuickBooks comes back (issue 15): qbo_invoice_states, qbo_payments,
qbo_payment_lines, qbo_customer_states (the change feed's last word per QuickBooks Id),
qbo_poll_state (watermark and poll lease per company), qbo_webhook_events (deduplicated on id).

Revision ID: b15e0c4d2a11
Revises: b4e1d2c3a5f6
Create Date: 2026-12-01 14:05:00

"""
from alembic import op
import sqlalchemy as sa
import models._types  # noqa: F401  (custom column types)


revision = 'b15e0c4d2a11'
down_revision = 'b4e1d2c3a5f6'
branch_labels = None
depends_on = None

UTC = models._types.UTCDateTime(timezone=True)
MONEY = sa.Numeric(12, 2, asdecimal=True)


def upgrade():
    op.create_table('qbo_invoice_states',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('realm_id', sa.String(length=32), nullable=False),
    sa.Column('qbo_id', sa.String(length=32), nullable=False),
    sa.Column('doc_number', sa.String(length=30), nullable=False),
    sa.Column('customer_id', sa.String(length=32), nullable=True),
    sa.Column('total', MONEY, nullable=True),
    sa.Column('balance', MONEY, nullable=True),
    sa.Column('voided', sa.Boolean(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('qbo_updated_at', UTC, nullable=True),
    sa.Column('seen_at', UTC, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qbo_invoice_states')),
    sa.UniqueConstraint('realm_id', 'qbo_id', name='one_state_per_qbo_invoice')
    )
    op.create_table('qbo_payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('realm_id', sa.String(length=32), nullable=False),
    sa.Column('qbo_id', sa.String(length=32), nullable=False),
    sa.Column('customer_id', sa.String(length=32), nullable=True),
    sa.Column('total', MONEY, nullable=True),
    sa.Column('txn_date', sa.Date(), nullable=True),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('voided', sa.Boolean(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('qbo_updated_at', UTC, nullable=True),
    sa.Column('seen_at', UTC, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qbo_payments')),
    sa.UniqueConstraint('realm_id', 'qbo_id', name='one_row_per_qbo_payment')
    )
    op.create_table('qbo_payment_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('realm_id', sa.String(length=32), nullable=False),
    sa.Column('payment_qbo_id', sa.String(length=32), nullable=False),
    sa.Column('invoice_qbo_id', sa.String(length=32), nullable=False),
    sa.Column('amount', MONEY, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qbo_payment_lines')),
    sa.UniqueConstraint('realm_id', 'payment_qbo_id', 'invoice_qbo_id', name='one_line_per_payment_invoice')
    )
    with op.batch_alter_table('qbo_payment_lines', schema=None) as batch_op:
        batch_op.create_index('ix_qbo_payment_lines_invoice', ['realm_id', 'invoice_qbo_id'], unique=False)
    op.create_table('qbo_customer_states',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('realm_id', sa.String(length=32), nullable=False),
    sa.Column('qbo_id', sa.String(length=32), nullable=False),
    sa.Column('display_name', sa.String(length=500), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('merged_into_id', sa.String(length=32), nullable=True),
    sa.Column('qbo_updated_at', UTC, nullable=True),
    sa.Column('seen_at', UTC, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qbo_customer_states')),
    sa.UniqueConstraint('realm_id', 'qbo_id', name='one_state_per_qbo_customer')
    )
    op.create_table('qbo_poll_state',
    sa.Column('realm_id', sa.String(length=32), nullable=False),
    sa.Column('watermark', UTC, nullable=True),
    sa.Column('lease_owner', sa.String(length=64), nullable=True),
    sa.Column('lease_expires_at', UTC, nullable=True),
    sa.Column('requested_at', UTC, nullable=True),
    sa.Column('last_started_at', UTC, nullable=True),
    sa.Column('last_finished_at', UTC, nullable=True),
    sa.Column('last_ok_at', UTC, nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('last_changes', sa.Integer(), nullable=False),
    sa.Column('last_reads', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('realm_id', name=op.f('pk_qbo_poll_state'))
    )
    op.create_table('qbo_webhook_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=100), nullable=False),
    sa.Column('realm_id', sa.String(length=32), nullable=False),
    sa.Column('event_type', sa.String(length=100), nullable=False),
    sa.Column('entity_id', sa.String(length=32), nullable=False),
    sa.Column('deleted_id', sa.String(length=32), nullable=True),
    sa.Column('received_at', UTC, nullable=False),
    sa.Column('processed_at', UTC, nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qbo_webhook_events')),
    sa.UniqueConstraint('event_id', name=op.f('uq_qbo_webhook_events_event_id'))
    )
    with op.batch_alter_table('qbo_webhook_events', schema=None) as batch_op:
        batch_op.create_index('ix_qbo_webhook_events_pending', ['realm_id', 'processed_at'], unique=False)


def downgrade():
    with op.batch_alter_table('qbo_webhook_events', schema=None) as batch_op:
        batch_op.drop_index('ix_qbo_webhook_events_pending')
    op.drop_table('qbo_webhook_events')
    op.drop_table('qbo_poll_state')
    op.drop_table('qbo_customer_states')
    with op.batch_alter_table('qbo_payment_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_qbo_payment_lines_invoice')
    op.drop_table('qbo_payment_lines')
    op.drop_table('qbo_payments')
    op.drop_table('qbo_invoice_states')
