"""Order events are append-only: the ORM refuses to change or delete one.

Every change of an order writes one OrderEvent; the timeline is the record that staff, residents
and the figures rely on, so nothing in the app may rewrite it. On PostgreSQL a trigger (migration
0002) refuses UPDATE and DELETE as well, for whatever reaches the database without the ORM.
"""
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.orders.models import OrderEvent


class AppendOnlyViolation(RuntimeError):
    """An attempt to change or delete an order event."""


@event.listens_for(Session, "before_flush")
def _refuse_event_changes(session: Session, _flush_context, _instances) -> None:
    for obj in session.deleted:
        if isinstance(obj, OrderEvent):
            raise AppendOnlyViolation(f"order event {obj.id} cannot be deleted")
    for obj in session.dirty:
        if isinstance(obj, OrderEvent) and session.is_modified(obj, include_collections=False):
            raise AppendOnlyViolation(f"order event {obj.id} cannot be changed")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_event_changes(state) -> None:
    """update(OrderEvent) / delete(OrderEvent) run through the session are refused too."""
    table = getattr(state.statement, "table", None)
    if (state.is_update or state.is_delete) and getattr(table, "name", None) == OrderEvent.__tablename__:
        raise AppendOnlyViolation("order events cannot be changed or deleted")
