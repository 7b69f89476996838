"""covering indexes for the figures (PostgreSQL INCLUDE columns)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 06:55:00

Autogenerate does not see INCLUDE columns; the models declare them with postgresql_include.
"""
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_orders_area_created", table_name="orders")
    op.create_index("ix_orders_area_created", "orders", ["area_id", "created_at"], postgresql_include=[
        "id", "status", "due_at", "completed_at", "accepted_at", "category_id", "team_id"])
    op.drop_index("ix_points_entries_area_created", table_name="points_entries")
    op.create_index("ix_points_entries_area_created", "points_entries", ["area_id", "created_at"],
                    postgresql_include=["amount", "order_id"])


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_points_entries_area_created", table_name="points_entries")
    op.create_index("ix_points_entries_area_created", "points_entries", ["area_id", "created_at"])
    op.drop_index("ix_orders_area_created", table_name="orders")
    op.create_index("ix_orders_area_created", "orders", ["area_id", "created_at"])
