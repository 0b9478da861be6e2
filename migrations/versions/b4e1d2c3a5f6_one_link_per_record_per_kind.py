"""customer_links: one link per record and realm, enforced per kind by partial unique indexes
(the old unique constraint over kind/client/payer let NULL keys repeat). Duplicates that slipped
in are reduced to the link the app has been showing (the oldest row) before the index is built.

Revision ID: b4e1d2c3a5f6
Revises: a7c4e2f19b30
Create Date: 2026-12-01 13:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b4e1d2c3a5f6'
down_revision = 'a7c4e2f19b30'
branch_labels = None
depends_on = None

_KEYS = {
    "one_client_link": ("client", ["realm_id", "client_id"]),
    "one_payer_link": ("payer", ["realm_id", "payer_id"]),
    "one_pair_link": ("client_under_payer", ["realm_id", "client_id", "payer_id"]),
}


def upgrade():
    for kind, columns in _KEYS.values():
        same = " AND ".join(f"older.{c} = customer_links.{c}" for c in columns)
        op.execute(sa.text(
            f"DELETE FROM customer_links WHERE kind = '{kind}' AND EXISTS ("
            f"SELECT 1 FROM customer_links AS older WHERE older.kind = '{kind}' AND {same} "
            f"AND older.id < customer_links.id)"))
    with op.batch_alter_table('customer_links', schema=None) as batch_op:
        batch_op.drop_constraint('one_link_per_record', type_='unique')
    for name, (kind, columns) in _KEYS.items():
        where = sa.text(f"kind = '{kind}'")
        op.create_index(name, 'customer_links', columns, unique=True,
                        sqlite_where=where, postgresql_where=where)


def downgrade():
    for name in _KEYS:
        op.drop_index(name, table_name='customer_links')
    with op.batch_alter_table('customer_links', schema=None) as batch_op:
        batch_op.create_unique_constraint('one_link_per_record',
                                          ['realm_id', 'kind', 'client_id', 'payer_id'])
