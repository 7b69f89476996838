"""daily rollups of the figures, kept by triggers; the open orders' partial index

Revision ID: 0012_daily_rollups
Revises: 0010_abuse_limits
Create Date: 2026-12-03 13:50:00

- figure_days, figure_months, figure_day_points, figure_month_points, response_days, response_months,
  order_responses, service_days, service_months (app/stats/models.py);
- triggers on orders, ratings and points_entries that keep them in the transaction of every change (PostgreSQL:
  plpgsql functions; SQLite: trigger bodies), and a backfill from the rows already there;
- ix_orders_open_due: the open orders only, by due_at, for `overdue_open` (those not yet due, read live).

The trigger and backfill SQL is app/stats/rollups.py's, generated for the dialect: a later change to it comes
with a migration of its own that drops and re-creates the triggers (drop_triggers_sql, create_triggers_sql).
"""
import sqlalchemy as sa
from alembic import op

from app.stats import rollups

revision = '0012_daily_rollups'
down_revision = '0010_abuse_limits'
branch_labels = None
depends_on = None

OPEN_ORDERS = "status IN ('ordered', 'dispatched', 'accepted', 'in_service')"


def _counts(*names):
    return [sa.Column(name, sa.Integer(), nullable=False) for name in names]


def upgrade():
    for table, key in (('figure_days', 'day'), ('figure_months', 'month')):
        op.create_table(table,
        sa.Column('area_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column(key, sa.Date(), nullable=False),
        *_counts('received', 'cancelled', 'completed', 'on_time_completed', 'accepted', 'open', 'rated',
                 'satisfied', 'star_sum'),
        sa.PrimaryKeyConstraint('area_id', key, name=op.f(f'pk_{table}'))
        )
    for table, key in (('figure_day_points', 'day'), ('figure_month_points', 'month')):
        op.create_table(table,
        sa.Column('area_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column(key, sa.Date(), nullable=False),
        sa.Column('reason', sa.String(length=32), nullable=False),
        sa.Column('amount', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('area_id', key, 'reason', name=op.f(f'pk_{table}'))
        )
    for table, key in (('service_days', 'day'), ('service_months', 'month')):
        op.create_table(table,
        sa.Column('user_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column(key, sa.Date(), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('user_id', key, name=op.f(f'pk_{table}'))
        )
    op.create_table('response_days',
    sa.Column('area_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('minute', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('area_id', 'day', 'minute', name=op.f('pk_response_days'))
    )
    op.create_table('response_months',
    sa.Column('area_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('minute', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('area_id', 'month', 'minute', name=op.f('pk_response_months'))
    )
    op.create_table('order_responses',
    sa.Column('order_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('minute', sa.Integer(), nullable=False),
    sa.Column('minutes', sa.Double(), nullable=False),
    sa.PrimaryKeyConstraint('order_id', name=op.f('pk_order_responses'))
    )
    with op.batch_alter_table('order_responses', schema=None) as batch_op:
        batch_op.create_index('ix_order_responses_minute', ['minute', 'area_id', 'created_at'], unique=False,
                              postgresql_include=['minutes'])
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index('ix_orders_open_due', ['due_at', 'area_id', 'created_at'], unique=False,
                              postgresql_where=sa.text(OPEN_ORDERS), sqlite_where=sa.text(OPEN_ORDERS))

    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in rollups.create_triggers_sql(postgres, upsert=True) + rollups.rebuild_sql(postgres):
        op.execute(statement)


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in rollups.drop_triggers_sql(postgres):
        op.execute(statement)
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_open_due', postgresql_where=sa.text(OPEN_ORDERS),
                            sqlite_where=sa.text(OPEN_ORDERS))
    with op.batch_alter_table('order_responses', schema=None) as batch_op:
        batch_op.drop_index('ix_order_responses_minute', postgresql_include=['minutes'])
    op.drop_table('order_responses')
    op.drop_table('service_months')
    op.drop_table('service_days')
    op.drop_table('response_months')
    op.drop_table('response_days')
    for table in ('figure_month_points', 'figure_day_points', 'figure_months', 'figure_days'):
        op.drop_table(table)
