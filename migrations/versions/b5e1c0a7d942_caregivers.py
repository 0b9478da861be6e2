"""caregivers: the agency's caregivers as records; invoice lines reference them.

Today's free-text names on invoice lines become caregiver records: one per distinct name
(spaces collapsed, case ignored), split at the last space into first and last name, with the
office most of their lines belong to, W-2 employee (nobody recorded otherwise; the Caregivers
page corrects it), active, and codes CG-001, CG-002, ... in alphabetical order. Every line gets
the record's id; its caregiver_name (what the invoice printed) is left exactly as it was.

Revision ID: b5e1c0a7d942
Revises: b81d4c2e7a10
Create Date: 2026-12-01 13:45:00

"""
from collections import Counter, defaultdict

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b5e1c0a7d942'
down_revision = 'b81d4c2e7a10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('caregivers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('preferred_name', sa.String(length=100), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('phone', sa.String(length=30), nullable=False),
    sa.Column('kind', sa.Enum('employee', 'contractor', name='workerkind', native_enum=False, length=20), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_caregivers_office_id_offices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_caregivers')),
    sa.UniqueConstraint('code', name=op.f('uq_caregivers_code'))
    )
    with op.batch_alter_table('caregivers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_caregivers_active'), ['active'], unique=False)
        batch_op.create_index(batch_op.f('ix_caregivers_office_id'), ['office_id'], unique=False)

    with op.batch_alter_table('invoice_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('caregiver_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_invoice_lines_caregiver_id'), ['caregiver_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_invoice_lines_caregiver_id_caregivers'), 'caregivers',
                                    ['caregiver_id'], ['id'])

    _names_to_records(op.get_bind())


def _names_to_records(bind) -> None:
    lines = sa.table('invoice_lines', sa.column('id'), sa.column('invoice_id'), sa.column('caregiver_name'),
                     sa.column('caregiver_id'))
    invoices = sa.table('invoices', sa.column('id'), sa.column('batch_id'))
    batches = sa.table('invoice_batches', sa.column('id'), sa.column('office_id'))
    caregivers = sa.table('caregivers', sa.column('id'), sa.column('code'), sa.column('office_id'),
                          sa.column('first_name'), sa.column('last_name'), sa.column('preferred_name'),
                          sa.column('email'), sa.column('phone'), sa.column('kind'), sa.column('active'))
    rows = bind.execute(
        sa.select(lines.c.caregiver_name, batches.c.office_id, sa.func.count())
        .select_from(lines.join(invoices, invoices.c.id == lines.c.invoice_id)
                     .join(batches, batches.c.id == invoices.c.batch_id))
        .where(lines.c.caregiver_name != '')
        .group_by(lines.c.caregiver_name, batches.c.office_id)).all()
    spellings, offices, raw_names = defaultdict(Counter), defaultdict(Counter), defaultdict(set)
    for raw, office_id, count in rows:
        name = " ".join(raw.split())
        if not name:
            continue
        key = name.casefold()
        spellings[key][name] += count
        offices[key][office_id] += count
        raw_names[key].add(raw)
    keys = sorted(spellings, key=lambda k: (k.rsplit(" ", 1)[-1], k))
    for number, key in enumerate(keys, start=1):
        name = max(sorted(spellings[key]), key=lambda s: spellings[key][s])
        first, _, last = name.rpartition(" ")
        office_id = max(sorted(offices[key]), key=lambda o: offices[key][o])
        caregiver_id = bind.execute(sa.insert(caregivers).values(
            code=f"CG-{number:03d}", office_id=office_id, first_name=first[:100], last_name=last[:100],
            preferred_name='', email='', phone='', kind='employee', active=True)
            .returning(caregivers.c.id)).scalar_one()
        bind.execute(sa.update(lines).where(lines.c.caregiver_name.in_(sorted(raw_names[key])))
                     .values(caregiver_id=caregiver_id))


def downgrade():
    with op.batch_alter_table('invoice_lines', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_invoice_lines_caregiver_id_caregivers'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_invoice_lines_caregiver_id'))
        batch_op.drop_column('caregiver_id')

    with op.batch_alter_table('caregivers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_caregivers_office_id'))
        batch_op.drop_index(batch_op.f('ix_caregivers_active'))

    op.drop_table('caregivers')
