"""order events are append-only: PostgreSQL refuses UPDATE and DELETE on order_events

Revision ID: 0002
Revises: 0001

The ORM refuses such changes as well (app/orders/guards.py); this trigger covers everything that
reaches the database some other way (a console, a script, a bug that bypasses the ORM).
SQLite has no such trigger: it is the embedded, single-node database.
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

FUNCTION = """
CREATE OR REPLACE FUNCTION order_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'order_events is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$
"""
TRIGGER = """
CREATE TRIGGER order_events_append_only
BEFORE UPDATE OR DELETE ON order_events
FOR EACH ROW EXECUTE FUNCTION order_events_append_only()
"""


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(FUNCTION)
        op.execute(TRIGGER)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS order_events_append_only ON order_events")
        op.execute("DROP FUNCTION IF EXISTS order_events_append_only()")
