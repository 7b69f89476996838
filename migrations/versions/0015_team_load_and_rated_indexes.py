"""a team's orders in hand, and its rated orders' ids, read from indexes alone

Revision ID: 0015_team_load_and_rated_indexes
Revises: 0014_dispatch_ranking_indexes
Create Date: 2026-12-04 19:40:00

Dispatch help's ranking (app/dispatch/ranking.py), in a staff member's order detail:
- a team's load (its orders dispatched, accepted or in service) was counted through ix_orders_team, every order the
  team ever had; ix_orders_team_in_hand holds only those in hand, and the ranking counts them up to 100;
- its satisfaction figure looks up the stars of each order rated in the last 90 days by the order's id; without the
  id in ix_orders_team_rated, PostgreSQL fetched every one of those orders from the table (a bitmap heap scan:
  355 pages for one team of the bench's 100,000 orders). SQLite's indexes hold the rowid (the id) already: there
  that index is re-created unchanged.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015_team_load_and_rated_indexes'
down_revision = '0014_dispatch_ranking_indexes'
branch_labels = None
depends_on = None

IN_HAND_ORDERS = "status IN ('dispatched', 'accepted', 'in_service')"


def upgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_team_rated')
        batch_op.create_index('ix_orders_team_rated', ['team_id', 'rated_at'], unique=False,
                              postgresql_include=['id'])
        batch_op.create_index('ix_orders_team_in_hand', ['team_id'], unique=False,
                              postgresql_where=sa.text(IN_HAND_ORDERS), sqlite_where=sa.text(IN_HAND_ORDERS))


def downgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_team_in_hand', postgresql_where=sa.text(IN_HAND_ORDERS),
                            sqlite_where=sa.text(IN_HAND_ORDERS))
        batch_op.drop_index('ix_orders_team_rated', postgresql_include=['id'])
        batch_op.create_index('ix_orders_team_rated', ['team_id', 'rated_at'], unique=False)
