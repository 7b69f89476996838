"""the figures' rollups gain rows instead of updating shared ones

Revision ID: 0016_rollup_rows_added_not_updated
Revises: 0015_team_load_and_rated_indexes
Create Date: 2026-12-04 21:50:00

0012's triggers added each change to the one row of its key (an area and day, say) with INSERT … ON CONFLICT DO
UPDATE. Every order created in a community on one day updated the same rows, and each writer held their lock
from its INSERT to its COMMIT: concurrent writers queued one behind another. Now each change is a new row (a
row of negative counts takes away), a figure is the sum of its key's rows, and the worker folds a key's rows
into one (app/stats/rollups.py `fold`).

The eight rollup tables get an `id` of their own and a key index that is not unique; they are built again and
filled from the rows (`rebuild_sql`), as 0012 filled them. order_responses (one row per accepted order) stays.
"""
import sqlalchemy as sa
from alembic import op

from app.stats import rollups

revision = '0016_rollup_rows_added_not_updated'
down_revision = '0015_team_load_and_rated_indexes'
branch_labels = None
depends_on = None

COUNTS = ('received', 'cancelled', 'completed', 'on_time_completed', 'accepted', 'open', 'rated', 'satisfied',
          'star_sum')
TABLES = {  # name: (key columns, value columns), as 0012 made them
    'figure_days': (('area_id', 'day'), COUNTS), 'figure_months': (('area_id', 'month'), COUNTS),
    'figure_day_points': (('area_id', 'day', 'reason'), ('amount',)),
    'figure_month_points': (('area_id', 'month', 'reason'), ('amount',)),
    'service_days': (('user_id', 'day'), ('n',)), 'service_months': (('user_id', 'month'), ('n',)),
    'response_days': (('area_id', 'day', 'minute'), ('n',)),
    'response_months': (('area_id', 'month', 'minute'), ('n',)),
}


def _column(name: str) -> sa.Column:
    kind = sa.Date() if name in ('day', 'month') else sa.String(length=32) if name == 'reason' else sa.Integer()
    return sa.Column(name, kind, nullable=False)


def _rebuild(*, rows_added: bool) -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in rollups.drop_triggers_sql(postgres):
        op.execute(statement)
    for table, (keys, values) in TABLES.items():
        op.drop_table(table)
        if rows_added:
            op.create_table(table,
                            sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
                            *map(_column, keys + values), sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')))
            op.create_index(f'ix_{table}_key', table, list(keys), unique=False)
        else:
            op.create_table(table, *map(_column, keys + values),
                            sa.PrimaryKeyConstraint(*keys, name=op.f(f'pk_{table}')))
    for statement in rollups.create_triggers_sql(postgres, upsert=not rows_added) + rollups.rebuild_sql(postgres):
        op.execute(statement)


def upgrade():
    _rebuild(rows_added=True)


def downgrade():
    _rebuild(rows_added=False)
