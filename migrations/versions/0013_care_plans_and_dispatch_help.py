"""care plans (周期服务) and dispatch help

Revision ID: 0013_care_plans_and_dispatch_help
Revises: 0012_daily_rollups
Create Date: 2026-12-03 13:38:41

- care_plans: a recurring visit for a resident (app/care); care_visits: one row per plan and date, unique, so
  that each visit's order is filed once whichever worker gets there first;
- orders.care_plan_id: the plan whose visit an order is;
- areas.auto_dispatch: orders placed there go straight to the one team that may take them (app/dispatch);
- alembic_version.version_num widened to 64 characters on PostgreSQL (this revision's id has 33).
"""
import sqlalchemy as sa
from alembic import op

from app.stats import rollups
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0013_care_plans_and_dispatch_help'
down_revision = '0012_daily_rollups'
branch_labels = None
depends_on = None


def upgrade():
    # This revision's id has 33 characters; Alembic's own table holds 32 (SQLite does not enforce it).
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE alembic_version ALTER COLUMN version_num TYPE varchar(64)")
    op.create_table('care_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=True),
    sa.Column('resident_name', sa.String(length=32), nullable=False),
    sa.Column('resident_phone', sa.String(length=20), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=64), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('weekdays', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('time_slot', sa.String(length=8), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_care_plans_area_id_areas')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_care_plans_category_id_categories')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_care_plans_owner_id_users')),
    sa.ForeignKeyConstraint(['resident_id'], ['users.id'], name=op.f('fk_care_plans_resident_id_users')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_care_plans_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_plans'))
    )
    with op.batch_alter_table('care_plans', schema=None) as batch_op:
        batch_op.create_index('ix_care_plans_area', ['area_id', 'id'], unique=False)
        batch_op.create_index('ix_care_plans_status', ['status', 'id'], unique=False)

    op.create_table('care_visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('visit_on', sa.Date(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_care_visits_order_id_orders')),
    sa.ForeignKeyConstraint(['plan_id'], ['care_plans.id'], name=op.f('fk_care_visits_plan_id_care_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_visits')),
    sa.UniqueConstraint('order_id', name=op.f('uq_care_visits_order_id')),
    sa.UniqueConstraint('plan_id', 'visit_on', name='uq_care_visits_plan_date')
    )
    # Plain ADD COLUMN, not a batch (which on SQLite copies the table and drops the triggers of 0012's rollups).
    op.add_column('areas', sa.Column('auto_dispatch', sa.Boolean(), server_default=sa.false(), nullable=False))
    if op.get_bind().dialect.name == 'sqlite':  # SQLite: the reference only inline, in the ADD COLUMN itself
        op.execute('ALTER TABLE orders ADD COLUMN care_plan_id INTEGER '
                   'CONSTRAINT fk_orders_care_plan_id_care_plans REFERENCES care_plans (id)')
    else:
        op.add_column('orders', sa.Column('care_plan_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_orders_care_plan_id_care_plans'), 'orders', 'care_plans', ['care_plan_id'], ['id'])
    op.create_index(op.f('ix_orders_care_plan_id'), 'orders', ['care_plan_id'], unique=False)



def downgrade():
    postgres = op.get_bind().dialect.name == 'postgresql'
    if not postgres:  # SQLite's batch copies orders and areas: 0012's triggers on them go, and come back below
        for statement in rollups.drop_triggers_sql(False):
            op.execute(statement)
    with op.batch_alter_table('orders', schema=None) as batch_op:
        if postgres:
            batch_op.drop_constraint(batch_op.f('fk_orders_care_plan_id_care_plans'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_orders_care_plan_id'))
        batch_op.drop_column('care_plan_id')

    with op.batch_alter_table('areas', schema=None) as batch_op:
        batch_op.drop_column('auto_dispatch')
    if not postgres:
        for statement in rollups.create_triggers_sql(False):
            op.execute(statement)

    op.drop_table('care_visits')
    with op.batch_alter_table('care_plans', schema=None) as batch_op:
        batch_op.drop_index('ix_care_plans_status')
        batch_op.drop_index('ix_care_plans_area')

    op.drop_table('care_plans')
