"""The access log is append-only: the ORM refuses to change or delete a row (as for order events)."""
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.orders.guards import AppendOnlyViolation
from app.privacy.models import PiiAccess


@event.listens_for(Session, "before_flush")
def _refuse_log_changes(session: Session, _flush_context, _instances) -> None:
    for obj in session.deleted:
        if isinstance(obj, PiiAccess):
            raise AppendOnlyViolation(f"access log row {obj.id} cannot be deleted")
    for obj in session.dirty:
        if isinstance(obj, PiiAccess) and session.is_modified(obj, include_collections=False):
            raise AppendOnlyViolation(f"access log row {obj.id} cannot be changed")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_log_changes(state) -> None:
    table = getattr(state.statement, "table", None)
    if (state.is_update or state.is_delete) and getattr(table, "name", None) == PiiAccess.__tablename__:
        raise AppendOnlyViolation("the access log cannot be changed or deleted")
