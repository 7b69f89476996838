"""Append-only tables: the ORM refuses to change or delete their rows.

Order events are the timeline staff, residents and the figures rely on; the access log of unmasked
personal data is what a resident's PIPL request is answered from. Nothing in the app may rewrite either.
A model joins with `append_only(Model)`; on PostgreSQL triggers (migrations 0002 and 0011) refuse UPDATE and
DELETE as well, for whatever reaches the database without the ORM.
"""
from sqlalchemy import event
from sqlalchemy.orm import Session


class AppendOnlyViolation(RuntimeError):
    """An attempt to change or delete a row of an append-only table."""


_MODELS: set[type] = set()
_TABLES: set[str] = set()


def append_only(model: type) -> type:
    """Make `model`'s rows append-only (usable as a class decorator)."""
    _MODELS.add(model)
    _TABLES.add(model.__tablename__)
    return model


@event.listens_for(Session, "before_flush")
def _refuse_changes(session: Session, _flush_context, _instances) -> None:
    for obj in session.deleted:
        if type(obj) in _MODELS:
            raise AppendOnlyViolation(f"{obj.__tablename__} row {obj.id} cannot be deleted")
    for obj in session.dirty:
        if type(obj) in _MODELS and session.is_modified(obj, include_collections=False):
            raise AppendOnlyViolation(f"{obj.__tablename__} row {obj.id} cannot be changed")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(state) -> None:
    """update(Model) / delete(Model) run through the session are refused too."""
    if state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in _TABLES:
            raise AppendOnlyViolation(f"{table.name} rows cannot be changed or deleted")
