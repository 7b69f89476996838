"""indexes for dispatch help's ranking

Revision ID: 0014_dispatch_ranking_indexes
Revises: 0013_care_plans_and_dispatch_help
Create Date: 2026-12-04 17:35:00

A staff member's order detail ranks the teams that may take it by their response over the last 30 days and
their ratings over the last 90 (app/dispatch/ranking.py). Read through ix_orders_team, each figure walked every
order the team ever had and, for the ratings, every rating of the last 90 days county-wide: 36 ms for one team at
200,000 orders. These two indexes make each a range of the team's recent orders.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0014_dispatch_ranking_indexes'
down_revision = '0013_care_plans_and_dispatch_help'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index('ix_orders_team_accepted', ['team_id', 'accepted_at'], unique=False,
                              postgresql_include=['dispatched_at'])
        batch_op.create_index('ix_orders_team_rated', ['team_id', 'rated_at'], unique=False)


def downgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_team_rated')
        batch_op.drop_index('ix_orders_team_accepted')
