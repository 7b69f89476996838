"""Daily rollups for the figures of a long period (a county's year): exact, and current to the second.

Triggers on orders, ratings and points_entries (PostgreSQL and SQLite, the same statements generated for
both below) keep the tables of app/stats/models.py in the transaction of each change: whatever writes the row
(the API, the worker, a bulk UPDATE, COPY) moves the rollups with it, and a rolled-back change takes its rollup
with it. `rebuild()` recomputes them all from the rows (the migration's backfill; bulk loads that switch
triggers off).

A change adds rows (`_delta`: a row of negative counts takes away) and never updates a shared one: with one row
per area and day, every writer of that day held its lock from its INSERT or UPDATE to its COMMIT, and concurrent
writers queued (migration 0016). A figure is the sum of its key's rows; the worker folds each key's rows into
one (`fold`) every pass, so reads stay short.

A summary (app/stats/service.py) reads:
* the whole Asia/Shanghai days of its period from figure_days / figure_day_points, and the part of a day at
  either end (a period given to the minute) from the orders themselves, as before;
* `overdue_open` (as of now) from the open orders, live: a partial index holds only those;
* the median minutes to acceptance from the distribution by whole minute (response_months for whole months,
  response_days for the days around them, order_responses for the ends): it names the minute(s) holding the
  middle rank(s), and the exact values of that minute come from order_responses, combined as the direct
  computation does (percentile_cont on PostgreSQL, the mean of the middle two on SQLite).
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import DDL, event, text

from app.extensions import db
from app.orders.models import DONE_STATUSES, OPEN_STATUSES
from app.stats.models import (FigureDay, FigureDayPoints, FigureMonth, FigureMonthPoints,  # noqa: F401
                              OrderResponse, ResponseDay, ResponseMonth, ServiceDay, ServiceMonth)

TZ_NAME = "Asia/Shanghai"
TZ = ZoneInfo(TZ_NAME)
SQLITE_OFFSET = "+480 minutes"  # Shanghai has kept +08:00 since 1991 (as app/stats/service.py's _local_day)
TRIGGER_COLUMNS = ("area_id", "created_at", "status", "completed_at", "due_at", "accepted_at", "assignee_id")
DONE = ", ".join(f"'{s.value}'" for s in DONE_STATUSES)
OPEN = ", ".join(f"'{s.value}'" for s in OPEN_STATUSES)


# --- expressions, per dialect -------------------------------------------------------------------

@dataclass(frozen=True)
class Dialect:
    postgres: bool

    def day(self, ts: str) -> str:
        if self.postgres:
            return f"(({ts} AT TIME ZONE '{TZ_NAME}')::date)"
        return f"strftime('%Y-%m-%d', {ts}, '{SQLITE_OFFSET}')"

    def month(self, ts: str) -> str:
        if self.postgres:
            return f"(date_trunc('month', {ts} AT TIME ZONE '{TZ_NAME}')::date)"
        return f"strftime('%Y-%m-01', {ts}, '{SQLITE_OFFSET}')"

    def minutes(self, r: str) -> str:
        """Minutes from creation to acceptance: the very expression (and float arithmetic) of the direct
        median in app/stats/service.py (_response_minutes)."""
        if self.postgres:
            return f"(EXTRACT(epoch FROM {r}.accepted_at - {r}.created_at)::float8 / 60.0::float8)"
        return f"((julianday({r}.accepted_at) - julianday({r}.created_at)) * 1440.0)"

    def minute(self, r: str) -> str:
        if self.postgres:
            return f"floor({self.minutes(r)})::int"
        return f"CAST({self.minutes(r)} AS INTEGER)"

    def ancestors(self, area_id: str) -> str:
        """The ids of an area and of every area above it (from its path, e.g. /1/4/9/)."""
        if self.postgres:
            return (f"SELECT unnest(string_to_array(trim(both '/' FROM leaf.path), '/'))::int AS id "
                    f"FROM areas leaf WHERE leaf.id = {area_id}")
        return (f"SELECT a.id AS id FROM areas a, areas leaf WHERE leaf.id = {area_id} "
                f"AND substr(leaf.path, 1, length(a.path)) = a.path")

    def distinct(self) -> str:
        return "IS DISTINCT FROM" if self.postgres else "IS NOT"


def flag(condition: str) -> str:
    return f"(CASE WHEN {condition} THEN 1 ELSE 0 END)"


def _order_vector(r: str) -> dict:
    return {"cancelled": flag(f"{r}.status = 'cancelled'"), "completed": flag(f"{r}.status IN ({DONE})"),
            "on_time_completed": flag(f"{r}.status IN ({DONE}) AND {r}.completed_at <= {r}.due_at"),
            "accepted": flag(f"{r}.accepted_at IS NOT NULL"), "open": flag(f"{r}.status IN ({OPEN})")}


COUNTS = ("received", "cancelled", "completed", "on_time_completed", "accepted", "open", "rated", "satisfied",
          "star_sum")


def grains(d: Dialect) -> list[tuple[str, str, str, object]]:
    """(counts table, points table, key column, key of a timestamp): by day, and by month."""
    return [("figure_days", "figure_day_points", "day", d.day), ("figure_months", "figure_month_points", "month",
                                                                 d.month)]


# Each rollup table: its key columns and the columns its rows add up.
TABLES = {
    "figure_days": (("area_id", "day"), COUNTS),
    "figure_months": (("area_id", "month"), COUNTS),
    "figure_day_points": (("area_id", "day", "reason"), ("amount",)),
    "figure_month_points": (("area_id", "month", "reason"), ("amount",)),
    "service_days": (("user_id", "day"), ("n",)),
    "service_months": (("user_id", "month"), ("n",)),
    "response_days": (("area_id", "day", "minute"), ("n",)),
    "response_months": (("area_id", "month", "minute"), ("n",)),
}


def _if(d: Dialect, when: str | None, statement: str) -> str:
    """`statement` run only if `when` (a condition of NEW and OLD) holds. On PostgreSQL inside IF: the statement is
    not started at all (most of a trigger's statements do not apply to a given change, and each costs the executor's
    start-up). On SQLite `when` is already part of the statement's WHERE (`_delta`, `_where`)."""
    return f"IF {when} THEN\n        {statement};\n    END IF" if when and d.postgres else statement


def _where(d: Dialect, where: str, when: str | None) -> str:
    return f"({where}) AND ({when})" if when and not d.postgres else where


def _delta(d: Dialect, table: str, keys: tuple, values: dict, sign: int, source: str = "", where: str = "1 = 1",
           when: str | None = None, upsert: bool = False) -> str:
    """One row added to `table`: its key (expressions, in TABLES' order) and `values` (column: expression; the
    others 0), taken away if `sign` is -1; if `when` (a condition of NEW and OLD) holds, for the rows of `source`
    that `where` keeps. A new row, never an UPDATE of a shared one: concurrent writers of the same area and day do
    not wait for each other (the worker folds the rows, `fold`). `upsert`: the shape of 0012, one row per key
    (migrations only)."""
    key_columns, value_columns = TABLES[table]
    signed = [values.get(name, "0") if sign > 0 else f"(0 - {values.get(name, '0')})" for name in value_columns]
    statement = (f"INSERT INTO {table} ({', '.join(key_columns + value_columns)}) "
                 f"SELECT {', '.join((*keys, *signed))} {source} WHERE {_where(d, where, when)}")
    if upsert:
        statement += (f" ON CONFLICT ({', '.join(key_columns)}) DO UPDATE SET "
                      + ", ".join(f"{n} = {table}.{n} + excluded.{n}" for n in value_columns))
    return _if(d, when, statement)


def _order_statements(d: Dialect, r: str, sign: int, upsert: bool) -> list[str]:
    """Add (sign 1) or take away (-1) the row r (NEW or OLD) of orders."""
    vector = {"received": "1", **_order_vector(r)}
    accepted, ancestors = f"{r}.accepted_at IS NOT NULL", f"FROM ({d.ancestors(f'{r}.area_id')}) anc"
    statements = [_delta(d, table, (f"{r}.area_id", at(f"{r}.created_at")), vector, sign, upsert=upsert)
                  for table, _points, _key, at in grains(d)]
    statements += [_delta(d, table, ("anc.id", at(f"{r}.created_at"), d.minute(r)), {"n": "1"}, sign, ancestors,
                          when=accepted, upsert=upsert)
                   for table, at in (("response_days", d.day), ("response_months", d.month))]
    if sign > 0:
        return statements + [_if(d, accepted, f"INSERT INTO order_responses (order_id, area_id, created_at, minute, "
                                              f"minutes) SELECT {r}.id, {r}.area_id, {r}.created_at, {d.minute(r)}, "
                                              f"{d.minutes(r)} WHERE {_where(d, '1 = 1', accepted)}")]
    return statements + [_if(d, accepted, f"DELETE FROM order_responses WHERE "
                                          f"{_where(d, f'order_id = {r}.id', accepted)}")]


def _service_statements(d: Dialect, r: str, sign: int, upsert: bool) -> list[str]:
    """An order done by an assignee counts for them on its day (and month) of completion."""
    done = f"{r}.assignee_id IS NOT NULL AND {r}.status IN ({DONE}) AND {r}.completed_at IS NOT NULL"
    return [_delta(d, table, (f"{r}.assignee_id", at(f"{r}.completed_at")), {"n": "1"}, sign, when=done,
                   upsert=upsert) for table, at in (("service_days", d.day), ("service_months", d.month))]


def _moved_rating(d: Dialect, upsert: bool) -> list[str]:
    """An order moved to another area or day takes its rating's counts along."""
    stars = "(SELECT stars FROM ratings WHERE order_id = NEW.id)"
    values = {"rated": "1", "satisfied": flag(f"{stars} >= 4"), "star_sum": stars}
    statements = []
    for table, _points, _key, at in grains(d):
        moved = f"OLD.area_id <> NEW.area_id OR {at('OLD.created_at')} <> {at('NEW.created_at')}"
        statements += [_delta(d, table, (f"{old}.area_id", at(f"{old}.created_at")), values, sign,
                              where=f"{stars} IS NOT NULL", when=moved, upsert=upsert)
                       for old, sign in (("OLD", -1), ("NEW", 1))]
    return statements


def _rating_statements(d: Dialect, r: str, sign: int, upsert: bool) -> list[str]:
    """A rating counts where its order is (the order's area and day of creation)."""
    values = {"rated": "1", "satisfied": flag(f"{r}.stars >= 4"), "star_sum": f"{r}.stars"}
    return [_delta(d, table, ("o.area_id", at("o.created_at")), values, sign, "FROM orders o",
                   f"o.id = {r}.order_id", upsert=upsert) for table, _points, _key, at in grains(d)]


def _points_statements(d: Dialect, r: str, sign: int, upsert: bool) -> list[str]:
    return [_delta(d, table, (f"{r}.area_id", at(f"{r}.created_at"), f"{r}.reason"), {"amount": f"{r}.amount"},
                   sign, upsert=upsert) for _table, table, _key, at in grains(d)]


def _order_changed(d: Dialect) -> str:
    """An UPDATE of orders that changes what the rollups hold (not, e.g., ordered → dispatched)."""
    ne = d.distinct()
    parts = [f"OLD.{c} {ne} NEW.{c}" for c in ("area_id", "created_at", "completed_at", "due_at", "accepted_at",
                                               "assignee_id")]
    parts += [f"{flag(f'OLD.status {cond}')} <> {flag(f'NEW.status {cond}')}"
              for cond in ("= 'cancelled'", f"IN ({DONE})", f"IN ({OPEN})")]
    return " OR ".join(parts)


TRIGGERS = {  # name: (table, event, WHEN or None, statements(dialect, upsert))
    "figures_order_added": ("orders", "INSERT", None,
                            lambda d, u: _order_statements(d, "NEW", 1, u) + _service_statements(d, "NEW", 1, u)),
    "figures_order_changed": ("orders", f"UPDATE OF {', '.join(TRIGGER_COLUMNS)}", _order_changed,
                              lambda d, u: _order_statements(d, "OLD", -1, u) + _order_statements(d, "NEW", 1, u)
                              + _moved_rating(d, u) + _service_statements(d, "OLD", -1, u)
                              + _service_statements(d, "NEW", 1, u)),
    "figures_order_removed": ("orders", "DELETE", None,
                              lambda d, u: _order_statements(d, "OLD", -1, u) + _service_statements(d, "OLD", -1, u)),
    "figures_rating_added": ("ratings", "INSERT", None, lambda d, u: _rating_statements(d, "NEW", 1, u)),
    "figures_rating_changed": ("ratings", "UPDATE OF order_id, stars",
                               lambda d: "OLD.order_id <> NEW.order_id OR OLD.stars <> NEW.stars",
                               lambda d, u: _rating_statements(d, "OLD", -1, u) + _rating_statements(d, "NEW", 1, u)),
    "figures_rating_removed": ("ratings", "DELETE", None, lambda d, u: _rating_statements(d, "OLD", -1, u)),
    "figures_points_added": ("points_entries", "INSERT", None, lambda d, u: _points_statements(d, "NEW", 1, u)),
    "figures_points_changed": ("points_entries", "UPDATE OF area_id, created_at, reason, amount", None,
                               lambda d, u: _points_statements(d, "OLD", -1, u) + _points_statements(d, "NEW", 1, u)),
    "figures_points_removed": ("points_entries", "DELETE", None, lambda d, u: _points_statements(d, "OLD", -1, u)),
}


def create_triggers_sql(postgres: bool, upsert: bool = False) -> list[str]:
    """The DDL of every rollup trigger (and, on PostgreSQL, its function). `upsert`: for the tables as 0012
    made them, one row per key (migrations 0012 and 0016's downgrade)."""
    d = Dialect(postgres)
    statements = []
    for name, (table, operation, when, body) in TRIGGERS.items():
        condition = f" WHEN ({when(d)})" if when else ""
        lines = ";\n    ".join(body(d, upsert))
        if postgres:
            statements.append(f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                              f"BEGIN\n    {lines};\n    RETURN NULL;\nEND;\n$$")
            statements.append(f"CREATE TRIGGER {name} AFTER {operation} ON {table} FOR EACH ROW{condition} "
                              f"EXECUTE FUNCTION {name}()")
        else:
            statements.append(f"CREATE TRIGGER {name} AFTER {operation} ON {table} FOR EACH ROW{condition}\n"
                              f"BEGIN\n    {lines};\nEND")
    return statements


def drop_triggers_sql(postgres: bool) -> list[str]:
    statements = []
    for name, (table, *_rest) in TRIGGERS.items():
        if postgres:
            statements += [f"DROP TRIGGER IF EXISTS {name} ON {table}", f"DROP FUNCTION IF EXISTS {name}()"]
        else:
            statements.append(f"DROP TRIGGER IF EXISTS {name}")
    return statements


def rebuild_sql(postgres: bool) -> list[str]:
    """Recompute every rollup from the rows (in one transaction, with the triggers' own expressions)."""
    d = Dialect(postgres)
    vector = _order_vector("o")
    day, month = d.day("o.created_at"), d.month("o.created_at")
    counts = ", ".join(f"SUM({vector[n]})" if n in vector else ("COUNT(*)" if n == "received" else "0")
                       for n in COUNTS if n not in ("rated", "satisfied", "star_sum"))
    ancestor_join = ("JOIN areas leaf ON leaf.id = o.area_id JOIN areas anc ON "
                     + ("starts_with(leaf.path, anc.path)" if postgres
                        else "substr(leaf.path, 1, length(anc.path)) = anc.path"))
    statements = [f"DELETE FROM {table}" for table in (*TABLES, "order_responses")]
    for table, points, key, at in grains(d):
        statements += [
            f"INSERT INTO {table} (area_id, {key}, {', '.join(COUNTS)}) "
            f"SELECT o.area_id, {at('o.created_at')}, {counts}, COUNT(r.stars), SUM({flag('r.stars >= 4')}), "
            f"COALESCE(SUM(r.stars), 0) FROM orders o LEFT JOIN ratings r ON r.order_id = o.id "
            f"GROUP BY o.area_id, {at('o.created_at')}",
            f"INSERT INTO {points} (area_id, {key}, reason, amount) "
            f"SELECT p.area_id, {at('p.created_at')}, p.reason, SUM(p.amount) FROM points_entries p "
            f"GROUP BY p.area_id, {at('p.created_at')}, p.reason"]
    for table, key, at in (("service_days", "day", d.day), ("service_months", "month", d.month)):
        statements.append(
            f"INSERT INTO {table} (user_id, {key}, n) SELECT o.assignee_id, {at('o.completed_at')}, COUNT(*) "
            f"FROM orders o WHERE o.assignee_id IS NOT NULL AND o.status IN ({DONE}) AND o.completed_at IS NOT NULL "
            f"GROUP BY o.assignee_id, {at('o.completed_at')}")
    return statements + [
        f"INSERT INTO order_responses (order_id, area_id, created_at, minute, minutes) "
        f"SELECT o.id, o.area_id, o.created_at, {d.minute('o')}, {d.minutes('o')} FROM orders o "
        f"WHERE o.accepted_at IS NOT NULL",
        f"INSERT INTO response_days (area_id, day, minute, n) SELECT anc.id, {day}, o.minute, COUNT(*) "
        f"FROM order_responses o {ancestor_join} GROUP BY anc.id, {day}, o.minute",
        f"INSERT INTO response_months (area_id, month, minute, n) SELECT anc.id, {month}, o.minute, COUNT(*) "
        f"FROM order_responses o {ancestor_join} GROUP BY anc.id, {month}, o.minute",
    ]


def rebuild(connection) -> None:
    """Recompute the rollups on a connection (inside the caller's transaction)."""
    for statement in rebuild_sql(connection.dialect.name == "postgresql"):
        connection.execute(text(statement))


def fold_sql(postgres: bool, table: str) -> list[str]:
    """Fold the rows of each key that has more than one up to :upto, where a row after :since has that key,
    into one row (dropped if it adds up to nothing). PostgreSQL: one statement, so the rows it sums are the
    rows it deletes whatever commits meanwhile (a row deleted by another fold first is not summed twice).
    SQLite: two statements in one transaction, which holds the write lock from its BEGIN (outside a request,
    every transaction does: app/database.py), so nothing commits between them."""
    keys, values = TABLES[table]
    key_list, sums = ", ".join(keys), ", ".join(f"SUM({v}) AS {v}" for v in values)
    several = (f"SELECT {key_list} FROM {table} WHERE id <= :upto AND ({key_list}) IN (SELECT {key_list} "
               f"FROM {table} WHERE id > :since AND id <= :upto) GROUP BY {key_list} HAVING COUNT(*) > 1")
    kept = " OR ".join(f"SUM({v}) <> 0" for v in values)
    insert = f"INSERT INTO {table} ({key_list}, {', '.join(values)}) "
    if postgres:
        return [f"WITH gone AS (DELETE FROM {table} WHERE id <= :upto AND ({key_list}) IN ({several}) "
                f"RETURNING {key_list}, {', '.join(values)}) "
                f"{insert}SELECT {key_list}, {sums} FROM gone GROUP BY {key_list} HAVING {kept}"]
    return [f"{insert}SELECT {key_list}, {sums} FROM {table} WHERE id <= :upto AND ({key_list}) IN ({several}) "
            f"GROUP BY {key_list} HAVING {kept}",
            f"DELETE FROM {table} WHERE id <= :upto AND ({key_list}) IN ({several})"]


# Per table, the ids up to which this process's last two folds went. A fold looks at the rows after the older
# one: on PostgreSQL a row is numbered when it is written and seen when its transaction commits, so a row
# numbered before the last fold may have been committed since (one transaction open across two folds, seconds
# apart, is the only way to be missed, and then only until its key gains another row).
_folded_to: dict[str, tuple[int, int]] = {}


def fold(session, from_start: bool = False) -> int:
    """Fold the rows the triggers added (the worker, every pass; `from_start`: all rows), one transaction per
    table (on SQLite it begins with the write lock, as every transaction outside a request does: app/database.py);
    how many keys were folded. The figures are the same before and after: a fold only makes their reads shorter."""
    postgres, folded = session.get_bind().dialect.name == "postgresql", 0
    for table in TABLES:
        upto = session.execute(text(f"SELECT MAX(id) FROM {table}")).scalar() or 0
        older, newer = (0, 0) if from_start else _folded_to.get(table, (0, 0))
        if upto < newer:  # emptied and filled again (a rebuild on SQLite numbers its rows from 1 again)
            older = newer = 0
        if upto > older:
            results = [session.execute(text(statement), {"since": older, "upto": upto})
                       for statement in fold_sql(postgres, table)]
            folded += max(results[0].rowcount, 0)  # the keys' new rows (dropped if they added up to nothing)
        session.commit()
        _folded_to[table] = (newer, upto)
    return folded


def pause_triggers(connection) -> None:
    """PostgreSQL, before a bulk load (COPY of 100k+ rows): switch the rollup triggers off; `resume_triggers`
    switches them on and rebuilds the rollups, in the same transaction."""
    for name, (table, *_rest) in TRIGGERS.items():
        connection.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER {name}"))


def resume_triggers(connection) -> None:
    for name, (table, *_rest) in TRIGGERS.items():
        connection.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER {name}"))
    rebuild(connection)


def _install(target, connection, **_kw) -> None:
    if connection.dialect.name in ("postgresql", "sqlite"):
        postgres = connection.dialect.name == "postgresql"
        for statement in drop_triggers_sql(postgres) + create_triggers_sql(postgres):
            connection.execute(DDL(statement.replace("%", "%%")))


# create_all (the test suite, `flask gen-data` on a new database) installs the triggers with the tables.
event.listen(db.metadata, "after_create", _install)


# --- reading ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Split:
    """A period cut into whole Shanghai days (months inside them) and the parts of days at either end."""

    first_day: date | None  # whole days [first_day, end_day), None: no whole day
    end_day: date | None
    first_month: date | None  # whole months [first_month, end_month) inside the whole days
    end_month: date | None
    edges: tuple  # ((start, end) in UTC, …): parts of days, read from the rows


def local_midnight(day: date) -> datetime:
    """The start of an Asia/Shanghai day, in UTC."""
    return datetime.combine(day, time(), TZ).astimezone(timezone.utc)


def services_done(members, start: datetime, end: datetime):
    """A scalar subquery: how many orders the users of `members` (a select of user ids) completed in
    [start, end), from service_months / service_days and, for the parts of a day at either end, the orders."""
    from sqlalchemy import func, literal, select, union_all

    from app.orders.models import Order

    cut = split(start, end, local_midnight, TZ)
    parts = []
    if cut.first_month is not None:
        parts.append(select(ServiceMonth.n).where(ServiceMonth.user_id.in_(members),
                                                  ServiceMonth.month >= cut.first_month,
                                                  ServiceMonth.month < cut.end_month))
        days = [(cut.first_day, cut.first_month), (cut.end_month, cut.end_day)]
    else:
        days = [(cut.first_day, cut.end_day)] if cut.first_day is not None else []
    for first, last in days:
        if first < last:
            parts.append(select(ServiceDay.n).where(ServiceDay.user_id.in_(members), ServiceDay.day >= first,
                                                    ServiceDay.day < last))
    for a, b in cut.edges:
        parts.append(select(literal(1).label("n")).select_from(Order).where(
            Order.assignee_id.in_(members), Order.status.in_([s.value for s in DONE_STATUSES]),
            Order.completed_at >= a, Order.completed_at < b))
    rows = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery()
    return select(func.coalesce(func.sum(rows.c.n), 0)).scalar_subquery()


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def split(start: datetime, end: datetime, local_midnight, tz) -> Split:
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    first = local_start.date()
    if local_midnight(first) < start:
        first += timedelta(days=1)
    last = local_end.date()  # the whole days end at the midnight at or before `end`
    if first >= last:
        return Split(None, None, None, None, ((start, end),))
    edges = tuple((a, b) for a, b in ((start, local_midnight(first)), (local_midnight(last), end)) if a < b)
    first_month = first if first.day == 1 else _next_month(first)
    end_month = date(last.year, last.month, 1)
    if first_month >= end_month:
        first_month = end_month = None
    return Split(first, last, first_month, end_month, edges)
