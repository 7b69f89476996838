"""index of registered Party members by home area; PostgreSQL refuses TRUNCATE of order_events too

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 20:30:00

The 双报到 register and figures (app/party/service.py) find Party members by
`is_party_member = true AND home_area_id IN (…)`: with this index they read one range per area (and the
work unit from the index) instead of every user. Migration 0002's trigger refuses UPDATE and DELETE of
order events row by row; TRUNCATE bypasses row triggers, so a statement trigger refuses it as well.
"""
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

TRUNCATE_TRIGGER = """
CREATE TRIGGER order_events_no_truncate
BEFORE TRUNCATE ON order_events
FOR EACH STATEMENT EXECUTE FUNCTION order_events_append_only()
"""


def upgrade():
    op.create_index("ix_users_party_home", "users", ["is_party_member", "home_area_id", "work_unit"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(TRUNCATE_TRIGGER)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS order_events_no_truncate ON order_events")
    op.drop_index("ix_users_party_home", table_name="users")
