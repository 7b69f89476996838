"""console tickets bound to the browser that made them: poll_secret_hash, ip, browser; expires_at indexed

Revision ID: 0010_abuse_limits
Revises: 0011_pipl_rights
Create Date: 2026-12-03 13:50:00

A ticket is polled with the secret only its browser holds (app/auth/service.py), the approval screen shows
where it came from, and old tickets are pruned by expires_at. Tickets live two minutes: the ones there are
now (without a secret) are deleted rather than given a column they cannot fill.
"""
import sqlalchemy as sa
from alembic import op

revision = '0010_abuse_limits'
down_revision = '0011_pipl_rights'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DELETE FROM console_tickets")
    with op.batch_alter_table('console_tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('poll_secret_hash', sa.String(length=64), nullable=False))
        batch_op.add_column(sa.Column('ip', sa.String(length=64), nullable=False))
        batch_op.add_column(sa.Column('browser', sa.String(length=64), nullable=False))
        batch_op.create_index(batch_op.f('ix_console_tickets_expires_at'), ['expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('console_tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_console_tickets_expires_at'))
        batch_op.drop_column('browser')
        batch_op.drop_column('ip')
        batch_op.drop_column('poll_secret_hash')
