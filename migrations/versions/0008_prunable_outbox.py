"""in-app messages may outlive their outbox row: messages.notification_id becomes nullable

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 23:10:00

The worker prunes delivered and failed notifications after NOTIFY_KEEP_DAYS (app/notifications/delivery.py
prune_outbox). A user's 消息中心 keeps its messages: each lets go of its notification (NULL) first. The
column stays unique (one message per notification while both exist); SQLite rebuilds the table.
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.alter_column('notification_id', existing_type=sa.Integer(), nullable=True)


def downgrade():
    # A message whose notification was pruned cannot point at one again, and users' messages are not dropped.
    orphans = op.get_bind().execute(sa.text("SELECT count(*) FROM messages WHERE notification_id IS NULL")).scalar()
    if orphans:
        raise RuntimeError(f"{orphans} messages have outlived their pruned notifications: cannot downgrade")
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.alter_column('notification_id', existing_type=sa.Integer(), nullable=False)
