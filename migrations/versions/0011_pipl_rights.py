"""residents' PIPL rights: the append-only log of who received someone's unmasked phone or address

Revision ID: 0011_pipl_rights
Revises: 0009

- pii_access_log (app/privacy): one row each time staff, an admin or a grid worker receives someone's
  unmasked phone or address (an order's detail, a Party member's record, an export); on PostgreSQL a
  trigger refuses UPDATE, DELETE and TRUNCATE, as for order_events (0002, 0006) and service_credits (0009);
  the ids carry no foreign keys (a log line's facts; an export's rows are written three times faster).
"""
import sqlalchemy as sa
from alembic import op

revision = "0011_pipl_rights"
down_revision = "0009"
branch_labels = None
depends_on = None

FUNCTION = """
CREATE OR REPLACE FUNCTION pii_access_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'pii_access_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$
"""
ROW_TRIGGER = """
CREATE TRIGGER pii_access_log_append_only
BEFORE UPDATE OR DELETE ON pii_access_log
FOR EACH ROW EXECUTE FUNCTION pii_access_log_append_only()
"""
TRUNCATE_TRIGGER = """
CREATE TRIGGER pii_access_log_no_truncate
BEFORE TRUNCATE ON pii_access_log
FOR EACH STATEMENT EXECUTE FUNCTION pii_access_log_append_only()
"""


def upgrade():
    op.create_table(
        "pii_access_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("viewer_id", sa.Integer(), nullable=False),
        sa.Column("subject_user_id", sa.Integer(), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("what", sa.String(length=32), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pii_access_log")),
    )
    with op.batch_alter_table("pii_access_log", schema=None) as batch_op:
        batch_op.create_index("ix_pii_access_area", ["area_id", "id"], unique=False)
        batch_op.create_index("ix_pii_access_subject", ["subject_user_id", "id"], unique=False)
        batch_op.create_index("ix_pii_access_viewer", ["viewer_id", "id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(FUNCTION)
        op.execute(ROW_TRIGGER)
        op.execute(TRUNCATE_TRIGGER)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS pii_access_log_no_truncate ON pii_access_log")
        op.execute("DROP TRIGGER IF EXISTS pii_access_log_append_only ON pii_access_log")
        op.execute("DROP FUNCTION IF EXISTS pii_access_log_append_only()")
    with op.batch_alter_table("pii_access_log", schema=None) as batch_op:
        batch_op.drop_index("ix_pii_access_viewer")
        batch_op.drop_index("ix_pii_access_subject")
        batch_op.drop_index("ix_pii_access_area")
    op.drop_table("pii_access_log")
