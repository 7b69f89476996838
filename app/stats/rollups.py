"""Daily rollups for the figures of a long period (a county's year): exact, and current to the second.

Triggers on orders, ratings and points_entries (PostgreSQL and SQLite, the same statements generated for
both below) keep the tables of app/stats/models.py in the transaction of each change: whatever writes the row
(the API, the worker, a bulk UPDATE, COPY) moves the rollups with it, and a rolled-back change takes its rollup
with it. `rebuild()` recomputes them all from the rows (the migration's backfill; bulk loads that switch
triggers off).

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


def grains(d: Dialect) -> list[tuple[str, str, object]]:
    """(counts table, points table, key column, key of a timestamp): by day, and by month."""
    return [("figure_days", "figure_day_points", "day", d.day), ("figure_months", "figure_month_points", "month",
                                                                 d.month)]


def _upsert(table: str, key: str, area: str, at: str, values: dict, source: str = "", where: str = "1 = 1") -> str:
    columns = {name: values.get(name, "0") for name in COUNTS}
    sets = ", ".join(f"{n} = {table}.{n} + excluded.{n}" for n in COUNTS if n in values)
    return (f"INSERT INTO {table} (area_id, {key}, {', '.join(COUNTS)}) "
            f"SELECT {area}, {at}, {', '.join(columns.values())} {source} WHERE {where} "
            f"ON CONFLICT (area_id, {key}) DO UPDATE SET {sets}")


def _subtract(table: str, key: str, area: str, at: str, values: dict, where: str = "1 = 1") -> str:
    sets = ", ".join(f"{n} = {n} - {v}" for n, v in values.items())
    return f"UPDATE {table} SET {sets} WHERE area_id = {area} AND {key} = {at} AND {where}"


def _order_statements(d: Dialect, r: str, sign: int) -> list[str]:
    """Add (sign 1) or take away (-1) the row r (NEW or OLD) of orders."""
    vector = {"received": "1", **_order_vector(r)}
    day, month, minute, accepted = d.day(f"{r}.created_at"), d.month(f"{r}.created_at"), d.minute(r), \
        f"{r}.accepted_at IS NOT NULL"
    if sign > 0:
        return [_upsert(table, key, f"{r}.area_id", at(f"{r}.created_at"), vector)
                for table, _points, key, at in grains(d)] + [
            f"INSERT INTO response_days (area_id, day, minute, n) SELECT anc.id, {day}, {minute}, 1 "
            f"FROM ({d.ancestors(f'{r}.area_id')}) anc WHERE {accepted} "
            f"ON CONFLICT (area_id, day, minute) DO UPDATE SET n = response_days.n + 1",
            f"INSERT INTO response_months (area_id, month, minute, n) SELECT anc.id, {month}, {minute}, 1 "
            f"FROM ({d.ancestors(f'{r}.area_id')}) anc WHERE {accepted} "
            f"ON CONFLICT (area_id, month, minute) DO UPDATE SET n = response_months.n + 1",
            f"INSERT INTO order_responses (order_id, area_id, created_at, minute, minutes) "
            f"SELECT {r}.id, {r}.area_id, {r}.created_at, {minute}, {d.minutes(r)} WHERE {accepted}",
        ]
    return [_subtract(table, key, f"{r}.area_id", at(f"{r}.created_at"), vector)
            for table, _points, key, at in grains(d)] + [
        f"UPDATE response_days SET n = n - 1 WHERE {accepted} AND day = {day} AND minute = {minute} "
        f"AND area_id IN ({d.ancestors(f'{r}.area_id')})",
        f"UPDATE response_months SET n = n - 1 WHERE {accepted} AND month = {month} AND minute = {minute} "
        f"AND area_id IN ({d.ancestors(f'{r}.area_id')})",
        f"DELETE FROM order_responses WHERE order_id = {r}.id",
    ]


def _service_statements(d: Dialect, r: str, sign: int) -> list[str]:
    """An order done by an assignee counts for them on its day (and month) of completion."""
    done = f"{r}.assignee_id IS NOT NULL AND {r}.status IN ({DONE}) AND {r}.completed_at IS NOT NULL"
    statements = []
    for table, key, at in (("service_days", "day", d.day), ("service_months", "month", d.month)):
        when = at(f"{r}.completed_at")
        if sign > 0:
            statements.append(f"INSERT INTO {table} (user_id, {key}, n) SELECT {r}.assignee_id, {when}, 1 "
                              f"WHERE {done} ON CONFLICT (user_id, {key}) DO UPDATE SET n = {table}.n + 1")
        else:
            statements.append(f"UPDATE {table} SET n = n - 1 WHERE {done} AND user_id = {r}.assignee_id "
                              f"AND {key} = {when}")
    return statements


def _moved_rating(d: Dialect) -> list[str]:
    """An order moved to another area or day takes its rating's counts along."""
    stars = "(SELECT stars FROM ratings WHERE order_id = NEW.id)"
    values = {"rated": "1", "satisfied": flag(f"{stars} >= 4"), "star_sum": stars}
    statements = []
    for table, _points, key, at in grains(d):
        moved = f"(OLD.area_id <> NEW.area_id OR {at('OLD.created_at')} <> {at('NEW.created_at')})"
        statements += [
            _subtract(table, key, "OLD.area_id", at("OLD.created_at"), values,
                      where=f"{moved} AND {stars} IS NOT NULL"),
            _subtract(table, key, "NEW.area_id", at("NEW.created_at"), {k: f"(0 - {v})" for k, v in values.items()},
                      where=f"{moved} AND {stars} IS NOT NULL")]
    return statements


def _rating_statements(d: Dialect, r: str, sign: int) -> list[str]:
    values = {"rated": "1", "satisfied": flag(f"{r}.stars >= 4"), "star_sum": f"{r}.stars"}
    statements = []
    for table, _points, key, at in grains(d):
        if sign > 0:
            statements.append(_upsert(table, key, "o.area_id", at("o.created_at"), values, source="FROM orders o",
                                      where=f"o.id = {r}.order_id"))
        else:
            sets = ", ".join(f"{n} = {n} - {v}" for n, v in values.items())
            statements.append(f"UPDATE {table} SET {sets} WHERE EXISTS (SELECT 1 FROM orders o WHERE o.id = "
                              f"{r}.order_id AND {table}.area_id = o.area_id AND {table}.{key} = {at('o.created_at')})")
    return statements


def _points_statements(d: Dialect, r: str, sign: int) -> list[str]:
    statements = []
    for _table, table, key, at in grains(d):
        when = at(f"{r}.created_at")
        if sign > 0:
            statements.append(
                f"INSERT INTO {table} (area_id, {key}, reason, amount) SELECT {r}.area_id, {when}, {r}.reason, "
                f"{r}.amount WHERE 1 = 1 ON CONFLICT (area_id, {key}, reason) DO UPDATE SET amount = "
                f"{table}.amount + excluded.amount")
        else:
            statements.append(f"UPDATE {table} SET amount = amount - {r}.amount WHERE area_id = {r}.area_id "
                              f"AND {key} = {when} AND reason = {r}.reason")
    return statements


def _order_changed(d: Dialect) -> str:
    """An UPDATE of orders that changes what the rollups hold (not, e.g., ordered → dispatched)."""
    ne = d.distinct()
    parts = [f"OLD.{c} {ne} NEW.{c}" for c in ("area_id", "created_at", "completed_at", "due_at", "accepted_at",
                                               "assignee_id")]
    parts += [f"{flag(f'OLD.status {cond}')} <> {flag(f'NEW.status {cond}')}"
              for cond in ("= 'cancelled'", f"IN ({DONE})", f"IN ({OPEN})")]
    return " OR ".join(parts)


TRIGGERS = {  # name: (table, event, WHEN or None, statements(dialect))
    "figures_order_added": ("orders", "INSERT", None,
                            lambda d: _order_statements(d, "NEW", 1) + _service_statements(d, "NEW", 1)),
    "figures_order_changed": ("orders", f"UPDATE OF {', '.join(TRIGGER_COLUMNS)}", _order_changed,
                              lambda d: _order_statements(d, "OLD", -1) + _order_statements(d, "NEW", 1)
                              + _moved_rating(d) + _service_statements(d, "OLD", -1)
                              + _service_statements(d, "NEW", 1)),
    "figures_order_removed": ("orders", "DELETE", None,
                              lambda d: _order_statements(d, "OLD", -1) + _service_statements(d, "OLD", -1)),
    "figures_rating_added": ("ratings", "INSERT", None, lambda d: _rating_statements(d, "NEW", 1)),
    "figures_rating_changed": ("ratings", "UPDATE OF order_id, stars",
                               lambda d: f"OLD.order_id <> NEW.order_id OR OLD.stars <> NEW.stars",
                               lambda d: _rating_statements(d, "OLD", -1) + _rating_statements(d, "NEW", 1)),
    "figures_rating_removed": ("ratings", "DELETE", None, lambda d: _rating_statements(d, "OLD", -1)),
    "figures_points_added": ("points_entries", "INSERT", None, lambda d: _points_statements(d, "NEW", 1)),
    "figures_points_changed": ("points_entries", "UPDATE OF area_id, created_at, reason, amount", None,
                               lambda d: _points_statements(d, "OLD", -1) + _points_statements(d, "NEW", 1)),
    "figures_points_removed": ("points_entries", "DELETE", None, lambda d: _points_statements(d, "OLD", -1)),
}


def create_triggers_sql(postgres: bool) -> list[str]:
    """The DDL of every rollup trigger (and, on PostgreSQL, its function)."""
    d = Dialect(postgres)
    statements = []
    for name, (table, operation, when, body) in TRIGGERS.items():
        condition = f" WHEN ({when(d)})" if when else ""
        lines = ";\n    ".join(body(d))
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
    statements = [f"DELETE FROM {table}" for table in ("figure_days", "figure_months", "figure_day_points",
                                                        "figure_month_points", "response_days", "response_months",
                                                        "order_responses", "service_days", "service_months")]
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
