"""match proposals for client under payer pairs: MatchProposal.payer_id (NULL except for the
"client_under_payer" kind) and the one-proposal-per-subject constraint widened to include it.

Revision ID: 1518578cbecb
Revises: 5a1c0e6b7d20
Create Date: 2026-11-26 10:15:00.218832

"""
from alembic import op
import sqlalchemy as sa
import models._types  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '1518578cbecb'
down_revision = '5a1c0e6b7d20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('match_proposals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payer_id', sa.Integer(), nullable=True))
        batch_op.drop_constraint(batch_op.f('one_proposal_per_subject'), type_='unique')
        batch_op.create_unique_constraint('one_proposal_per_subject', ['realm_id', 'kind', 'subject_id', 'payer_id'])
        batch_op.create_foreign_key(batch_op.f('fk_match_proposals_payer_id_payers'), 'payers', ['payer_id'], ['id'], ondelete='CASCADE')


def downgrade():
    # Pair proposals cannot live under the narrower constraint; they are recomputed on refresh.
    op.execute("DELETE FROM match_proposals WHERE kind = 'client_under_payer'")
    with op.batch_alter_table('match_proposals', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_match_proposals_payer_id_payers'), type_='foreignkey')
        batch_op.drop_constraint('one_proposal_per_subject', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('one_proposal_per_subject'), ['realm_id', 'kind', 'subject_id'])
        batch_op.drop_column('payer_id')
