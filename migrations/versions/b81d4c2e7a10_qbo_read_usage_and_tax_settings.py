"""Intuit's 2025-26 rules (issue 13): qbo_read_usage (CareLedger's own CorePlus reads and writes
per company and month), qbo_tax_profiles (the company's tax facts, cached) and qbo_tax_settings
(the tax code lines carry outside the US).

Revision ID: b81d4c2e7a10
Revises: b15e0c4d2a11
Create Date: 2026-12-01 13:50:00

"""
from alembic import op
import sqlalchemy as sa

import models._types


# revision identifiers, used by Alembic.
revision = 'b81d4c2e7a10'
down_revision = 'b15e0c4d2a11'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'qbo_read_usage',
        sa.Column('realm_id', sa.String(length=32), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('reads', sa.Integer(), nullable=False),
        sa.Column('writes', sa.Integer(), nullable=False),
        sa.Column('cap_reached_at', models._types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('realm_id', 'month'),
    )
    op.create_table(
        'qbo_tax_profiles',
        sa.Column('realm_id', sa.String(length=32), nullable=False),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.Column('fetched_at', models._types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('realm_id'),
    )
    op.create_table(
        'qbo_tax_settings',
        sa.Column('realm_id', sa.String(length=32), nullable=False),
        sa.Column('line_tax_code_id', sa.String(length=32), nullable=True),
        sa.Column('line_tax_code_name', sa.String(length=100), nullable=False),
        sa.Column('chosen_by_id', sa.Integer(), nullable=True),
        sa.Column('chosen_at', models._types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['chosen_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('realm_id'),
    )


def downgrade():
    op.drop_table('qbo_tax_settings')
    op.drop_table('qbo_tax_profiles')
    op.drop_table('qbo_read_usage')
