"""indexes for a large agency: clients in the lists' order (active, lower(last_name),
lower(first_name), id), so a page of the Clients and Client Matching tables reads its rows instead
of sorting every client; invoice_exports by (realm_id, updated_at), so the export progress poll
finds "nothing changed" without reading the batch's records.

Revision ID: a41f0c2d9e57
Revises: 7d96c8165d1b
Create Date: 2026-12-01 20:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a41f0c2d9e57'
down_revision = '7d96c8165d1b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_clients_sort_name', 'clients',
                    ['active', sa.text('lower(last_name)'), sa.text('lower(first_name)'), 'id'], unique=False)
    op.create_index('ix_invoice_exports_realm_updated', 'invoice_exports', ['realm_id', 'updated_at'], unique=False)


def downgrade():
    op.drop_index('ix_invoice_exports_realm_updated', table_name='invoice_exports')
    op.drop_index('ix_clients_sort_name', table_name='clients')
