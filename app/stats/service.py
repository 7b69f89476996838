"""Figures of DESIGN §5 for an area subtree and a period, computed in SQL.

Every figure is an aggregate over the orders created in [start, end) whose area lies in the
scope; rates are derived from the integer counts (null when the denominator is 0). A summary or
breakdown is a fixed handful of statements whatever the number of orders: the scope's area ids,
the counts, the medians (percentile_cont on PostgreSQL, a row_number() window on SQLite) and the
points. On PostgreSQL the counts and medians are index-only scans of ix_orders_area_created and
ix_ratings_order_stars (see bench/stats_bench.py for the figures on 1M orders).
"""
import logging
import re
from dataclasses import dataclass
from functools import cached_property
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, extract, func, literal, or_, select, text, union_all

from app import clock
from app.areas.models import Area
from app.auth.viewer import STAFF_ROLES, Viewer
from app.categories.models import Category
from app.errors import Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.orders.models import DONE_STATUSES, OPEN_STATUSES, Order, OrderStatus, Rating
from app.party import service as party
from app.points.models import PointsEntry
from app.points.service import SPENDING_REASONS
from app.stats import rollups
from app.stats.models import (FigureDay, FigureDayPoints, FigureMonth, FigureMonthPoints, OrderResponse, ResponseDay,
                              ResponseMonth)
from app.teams.models import Team

log = logging.getLogger(__name__)
TZ_NAME = "Asia/Shanghai"
TZ = ZoneInfo(TZ_NAME)
BREAKDOWNS = ("category", "team", "area", "day")
MAX_DAYS = 400  # a day breakdown lists every day of the period, empty ones too
NO_TEAM_LABEL = "未派单"
MIN_YEAR, MAX_YEAR = 2000, 2999  # periods far outside any data are a typo, and year 9999 has no next month

COUNT_NAMES = ("received", "cancelled", "completed", "on_time_completed", "rated", "satisfied", "star_sum",
               "overdue_open")


# --- periods ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    """[start, end) in aware UTC."""

    start: datetime
    end: datetime

    @property
    def local_start(self) -> datetime:
        return self.start.astimezone(TZ)

    @property
    def local_end(self) -> datetime:
        return self.end.astimezone(TZ)

    def label(self) -> str:
        """The period as people read it: 2024年3月1日至3月31日."""
        first, last = self.local_start, self.local_end - timedelta(microseconds=1)
        if first.year == last.year:
            return f"{first.year}年{first.month}月{first.day}日至{last.month}月{last.day}日"
        return f"{first.year}年{first.month}月{first.day}日至{last.year}年{last.month}月{last.day}日"


local_midnight = rollups.local_midnight


def month_period(year: int, month: int) -> Period:
    """One Asia/Shanghai month."""
    following = (year + 1, 1) if month == 12 else (year, month + 1)
    return Period(local_midnight(date(year, month, 1)), local_midnight(date(*following, 1)))


def current_month() -> Period:
    today = clock.now().astimezone(TZ)
    return month_period(today.year, today.month)


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_moment(value: str, field: str) -> datetime:
    """A date (YYYY-MM-DD, Shanghai midnight) or an ISO datetime (naive: Shanghai time) as aware UTC."""
    text = value.strip()
    # A "+08:00" offset sent unencoded in a query string arrives as " 08:00".
    text = re.sub(r" (\d{2}:?\d{2})$", r"+\1", text)
    try:
        if _DATE.match(text):
            moment = datetime.combine(date.fromisoformat(text), time(), TZ)
        else:
            moment = datetime.fromisoformat(text)
        if not MIN_YEAR <= moment.year <= MAX_YEAR:
            raise ValueError
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=TZ)
        return moment.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        raise ValidationFailed({field: ["时间格式不正确，应为 YYYY-MM-DD 或 ISO 8601 时间（2000—2999 年）"]}) from None


def parse_period(start: str | None, end: str | None) -> Period:
    """The period of a request; without both bounds, the current month (or the month around the bound)."""
    if start is None and end is None:
        return current_month()
    if start is not None and end is not None:
        period = Period(parse_moment(start, "from"), parse_moment(end, "to"))
    elif start is not None:  # since `from`, up to the end of the current month
        period = Period(parse_moment(start, "from"), max(current_month().end, clock.now()))
    else:  # the month that ends at `to`
        stop = parse_moment(end, "to")
        last = (stop - timedelta(microseconds=1)).astimezone(TZ)
        period = Period(month_period(last.year, last.month).start, stop)
    if period.start >= period.end:
        raise ValidationFailed({"to": ["结束时间应晚于开始时间"]})
    return period


def parse_month(month: str | None) -> Period:
    if not month:
        return current_month()
    match = _MONTH.match(month.strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or not MIN_YEAR <= int(match.group(1)) <= MAX_YEAR:
        raise ValidationFailed({"month": ["月份格式不正确，应为 YYYY-MM"]})
    return month_period(int(match.group(1)), int(match.group(2)))


# --- scope --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scope:
    """The area subtrees the figures cover: one area, or the union of the viewer's grants."""

    roots: tuple[Area, ...]

    @cached_property
    def area_ids(self) -> list[int]:
        """Every area id of the subtrees, read once: a literal id list gives the planner exact estimates."""
        return list(db.session.scalars(select(Area.id).where(self.contains(Area.path)).order_by(Area.id)))

    def __post_init__(self):
        self.paths  # read now: an export streams after the request's commit has expired the areas

    @cached_property
    def paths(self) -> list[str]:
        return [area.path for area in self.roots]

    @property
    def area(self) -> Area | None:
        return self.roots[0] if len(self.roots) == 1 else None

    @property
    def name(self) -> str:
        return "、".join(area.name for area in self.roots)

    def contains(self, path_column):
        return or_(*(path_column.startswith(path, autoescape=True) for path in self.paths))


def resolve_scope(viewer: Viewer, area_id: int | None) -> Scope:
    """The asked-for area (404 outside the viewer's scope) or, by default, the viewer's whole scope."""
    if not viewer.has_role(STAFF_ROLES):
        raise Forbidden("只有社区工作人员和管理员可以查看统计数据")
    if area_id is not None:
        area = db.session.get(Area, area_id)
        if area is None or not viewer.covers(area.path, STAFF_ROLES):
            raise NotFound("找不到该区域")
        return Scope((area,))
    grants = sorted({g.area.id: g.area for g in viewer.grants if g.role in STAFF_ROLES}.values(),
                    key=lambda a: a.path)
    # Drop grants nested inside another grant: the outer subtree already holds them.
    roots = [a for a in grants if not any(o is not a and a.path.startswith(o.path) for o in grants)]
    return Scope(tuple(roots))


# --- SQL building blocks ------------------------------------------------------------------------

def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _local_day(column):
    """The Asia/Shanghai calendar day of a UTC timestamp column, as 'YYYY-MM-DD'."""
    if _dialect() == "postgresql":
        return func.to_char(func.timezone(TZ_NAME, column), "YYYY-MM-DD")
    # SQLite keeps naive UTC text; Shanghai has had a fixed +08:00 offset since 1991.
    offset = int(datetime.now(TZ).utcoffset().total_seconds() // 60)
    return func.strftime("%Y-%m-%d", column, f"{offset:+d} minutes")


def _response_minutes():
    if _dialect() == "postgresql":
        return extract("epoch", Order.accepted_at - Order.created_at) / 60.0
    return (func.julianday(Order.accepted_at) - func.julianday(Order.created_at)) * 1440.0


def _child_key(scope: Scope, path_column):
    """For the area breakdown: the id of the scope's child whose subtree holds the row ('' = the root itself).

    With several roots (a viewer granted on several areas) the roots themselves are the items.
    """
    if len(scope.roots) > 1:
        return case(*((path_column.startswith(a.path, autoescape=True), f"={a.id}") for a in scope.roots),
                    else_="")
    rest = func.substr(path_column, len(scope.roots[0].path) + 1)
    if _dialect() == "postgresql":
        return func.split_part(rest, "/", 1)
    return func.substr(rest, 1, func.instr(rest, "/") - 1)


def _order_key(by: str | None, scope: Scope):
    return {None: None, "category": Order.category_id, "team": Order.team_id,
            "area": _child_key(scope, Area.path) if by == "area" else None,
            "day": _local_day(Order.created_at) if by == "day" else None}[by]


def _orders_in(scope: Scope, period: Period):
    return [Order.area_id.in_(scope.area_ids), Order.created_at >= period.start, Order.created_at < period.end]


def _from_orders(query, by: str | None):
    """FROM orders, joined to areas only when the area breakdown needs their paths."""
    query = query.select_from(Order)
    return query.join(Area, Area.id == Order.area_id) if by == "area" else query


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _order_counts(by: str | None, scope: Scope, period: Period, medians: bool = True) -> dict:
    """{key: {count name: value, 'response_minutes'}}: one statement for the counts, one for the medians."""
    key = _order_key(by, scope)
    postgres = _dialect() == "postgresql"
    if postgres:
        # These aggregates run for well under a second; JIT compiling them costs more than it saves.
        db.session.execute(text("SET LOCAL jit = off"))
    # A plain outer join: on 1M orders the planner probes ix_ratings_order_stars for a community
    # month (4 ms) and hashes the ratings for a county year (383 ms, against 1.2 s for a LATERAL probe).
    stars = Rating.stars
    done = Order.status.in_([s.value for s in DONE_STATUSES])
    columns = [
        func.count(Order.id).label("received"),
        _count_if(Order.status == OrderStatus.CANCELLED.value).label("cancelled"),
        _count_if(done).label("completed"),
        _count_if(and_(done, Order.completed_at <= Order.due_at)).label("on_time_completed"),
        func.count(stars).label("rated"),
        _count_if(stars >= 4).label("satisfied"),
        func.coalesce(func.sum(stars), 0).label("star_sum"),
        _count_if(and_(Order.status.in_([s.value for s in OPEN_STATUSES]), Order.due_at <= clock.now()))
        .label("overdue_open"),
    ]
    query = _from_orders(select(*_keyed(key), *columns), by)
    query = query.outerjoin(Rating, Rating.order_id == Order.id)
    query = query.where(*_orders_in(scope, period))
    if key is not None:
        query = query.group_by(key)
    result = {}
    for row in db.session.execute(query).mappings():
        result[row["key"] if key is not None else None] = {name: int(row[name] or 0) for name in COUNT_NAMES}
    if result and medians:
        medians = (_postgres_medians if postgres else _sqlite_medians)(by, key, scope, period)
        for name, values in result.items():
            values["response_minutes"] = medians.get(name)
    return result


def _keyed(key) -> list:
    return [key.label("key")] if key is not None else []


def _postgres_medians(by: str | None, key, scope: Scope, period: Period) -> dict:
    """Median minutes to acceptance per key: percentile_cont (a statement of its own, so the counts can
    use a parallel plan, which an ordered-set aggregate would forbid)."""
    minutes = _response_minutes()
    query = (_from_orders(select(*_keyed(key), func.percentile_cont(0.5).within_group(minutes)), by)
             .where(*_orders_in(scope, period), Order.accepted_at.is_not(None)))
    if key is not None:
        return {row[0]: row[1] for row in db.session.execute(query.group_by(key))}
    return {None: db.session.execute(query).scalar()}


def _sqlite_medians(by: str | None, key, scope: Scope, period: Period) -> dict:
    """Median minutes to acceptance per key: the middle row(s) of a row_number() window."""
    minutes = _response_minutes()
    partition = {"partition_by": key} if key is not None else {}
    ranked = (_from_orders(select(*_keyed(key), minutes.label("minutes"),
                                  func.row_number().over(order_by=minutes, **partition).label("rn"),
                                  func.count().over(**partition).label("n")), by)
              .where(*_orders_in(scope, period), Order.accepted_at.is_not(None))
              .subquery())
    middle = or_(ranked.c.rn == (ranked.c.n + 1) // 2, ranked.c.rn == (ranked.c.n + 2) // 2)
    group = [ranked.c.key] if key is not None else []
    query = select(*group, func.avg(ranked.c.minutes)).where(middle)
    if group:
        query = query.group_by(*group)
    rows = db.session.execute(query).all()
    if key is None:
        return {None: rows[0][0]} if rows and rows[0][0] is not None else {}
    return {row[0]: row[1] for row in rows}


def _points(by: str | None, scope: Scope, period: Period) -> dict:
    """Points entries earned in the scope's areas in the period, summed per key (points spent in the 积分超市
    are no order's: the join leaves them out, or the reason does)."""
    if by in ("category", "team"):  # through the order the points were earned on
        key = Order.category_id if by == "category" else Order.team_id
        query = (select(key.label("key"), func.sum(PointsEntry.amount)).select_from(PointsEntry)
                 .join(Order, Order.id == PointsEntry.order_id))
    else:
        key = {None: None, "area": _child_key(scope, Area.path) if by == "area" else None,
               "day": _local_day(PointsEntry.created_at) if by == "day" else None}[by]
        query = select(*([key.label("key")] if key is not None else []), func.sum(PointsEntry.amount)) \
            .select_from(PointsEntry).where(PointsEntry.reason.not_in(SPENDING_REASONS))
    if by == "area":
        query = query.join(Area, Area.id == PointsEntry.area_id)
    query = query.where(PointsEntry.area_id.in_(scope.area_ids), PointsEntry.created_at >= period.start,
                        PointsEntry.created_at < period.end)
    if key is not None:
        query = query.group_by(key)
        return {row[0]: int(row[1] or 0) for row in db.session.execute(query)}
    return {None: int(db.session.execute(query).scalar() or 0)}


def _points_totals(scope: Scope, period: Period) -> tuple[int, int]:
    """(points awarded, points redeemed) in the scope's areas in the period, in one statement: redeemed is what
    the 积分超市 debited less what cancellations gave back (ledger reasons redeem and refund)."""
    spent = PointsEntry.reason.in_(SPENDING_REASONS)
    row = db.session.execute(
        select(func.coalesce(func.sum(case((spent, 0), else_=PointsEntry.amount)), 0),
               func.coalesce(func.sum(case((spent, PointsEntry.amount), else_=0)), 0))
        .where(PointsEntry.area_id.in_(scope.area_ids), PointsEntry.created_at >= period.start,
               PointsEntry.created_at < period.end)).one()
    return int(row[0]), -int(row[1])


# --- figures ------------------------------------------------------------------------------------

def ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def figures(counts: dict | None, points: int) -> dict:
    """The names of DESIGN §5 from the counts of one group."""
    counts = counts or {name: 0 for name in COUNT_NAMES}
    valid = counts["received"] - counts["cancelled"]
    median = counts.get("response_minutes")
    return {
        "received": counts["received"],
        "cancelled": counts["cancelled"],
        "valid": valid,
        "completed": counts["completed"],
        "completion_rate": ratio(counts["completed"], valid),
        "on_time_completed": counts["on_time_completed"],
        "on_time_rate": ratio(counts["on_time_completed"], counts["completed"]),
        "response_minutes": round(float(median), 2) if median is not None else None,
        "rated": counts["rated"],
        "satisfied": counts["satisfied"],
        "satisfaction_rate": ratio(counts["satisfied"], counts["rated"]),
        "avg_stars": ratio(counts["star_sum"], counts["rated"]),
        "overdue_open": counts["overdue_open"],
        "volunteer_services": counts["completed"],
        "points_awarded": points,
    }


def describe(scope: Scope, period: Period) -> dict:
    return {"area_id": scope.area.id if scope.area else None, "area_name": scope.name,
            "from": period.start, "to": period.end}


def summary(scope: Scope, period: Period, direct: bool = False) -> dict:
    """The figures of the whole scope and period, with the 双报到 figures of its Party members: from the daily
    rollups and the rows of the period's partial days (`direct`: all from the rows, as the tests compare)."""
    if direct:
        counts = _order_counts(None, scope, period).get(None)
        awarded, redeemed = _points_totals(scope, period)
    else:
        counts, awarded, redeemed = _rolled_up(scope, period)
    return {**describe(scope, period), **figures(counts, awarded), "points_redeemed": redeemed,
            **party.party_figures(scope.paths, period.start, period.end, rolled_up=not direct)}


ROLLED = ("received", "cancelled", "completed", "on_time_completed", "rated", "satisfied", "star_sum", "open")


def _spans(cut) -> list[tuple]:
    """(counts model, points model, key name, first, end) of the rollups covering the whole days of a period:
    whole months from the month tables, the days around them from the day tables."""
    if cut.first_day is None:
        return []
    if cut.first_month is None:
        return [(FigureDay, FigureDayPoints, "day", cut.first_day, cut.end_day)]
    spans = [(FigureMonth, FigureMonthPoints, "month", cut.first_month, cut.end_month)]
    for first, end in ((cut.first_day, cut.first_month), (cut.end_month, cut.end_day)):
        if first < end:
            spans.append((FigureDay, FigureDayPoints, "day", first, end))
    return spans


def _rolled_up(scope: Scope, period: Period) -> tuple[dict | None, int, int]:
    """(counts with the median, points awarded, points redeemed) of the scope and period, from the rollups
    (app/stats/rollups.py): whole months and days from figure_months / figure_days, the partial days at either
    end from the orders; `overdue_open` is the rollups' open orders less those not yet due (live, a partial
    index of open orders by due_at); the median from the distribution by minute and the exact values of its
    minute(s)."""
    ids = scope.area_ids
    cut = rollups.split(period.start, period.end, local_midnight, TZ)
    totals = dict.fromkeys(ROLLED, 0)
    awarded = redeemed = overdue_open = 0
    spans = _spans(cut)
    if spans:
        counts = union_all(*(select(*(getattr(model, name) for name in ROLLED))
                             .where(model.area_id.in_(ids), getattr(model, key) >= first, getattr(model, key) < end)
                             for model, _points, key, first, end in spans)).subquery()
        points = union_all(*(select(model.reason, model.amount)
                             .where(model.area_id.in_(ids), getattr(model, key) >= first, getattr(model, key) < end)
                             for _counts, model, key, first, end in spans)).subquery()
        spent = points.c.reason.in_(SPENDING_REASONS)
        sums = [select(func.coalesce(func.sum(case((spent, value), else_=other)), 0)).select_from(points)
                .scalar_subquery() for value, other in ((0, points.c.amount), (points.c.amount, 0))]
        not_due = (select(func.count()).select_from(Order).where(
            Order.area_id.in_(ids), Order.created_at >= local_midnight(cut.first_day),
            Order.created_at < local_midnight(cut.end_day), Order.status.in_([s.value for s in OPEN_STATUSES]),
            Order.due_at > clock.now()).scalar_subquery())
        row = db.session.execute(select(*(func.coalesce(func.sum(counts.c[name]), 0) for name in ROLLED),
                                        not_due, *sums)).one()
        totals = {name: int(value) for name, value in zip(ROLLED, row)}
        overdue_open, awarded, redeemed = totals["open"] - int(row[-3]), int(row[-2]), -int(row[-1])
    for start, end in cut.edges:  # parts of a day: from the rows, as before
        part = Period(start, end)
        edge = _order_counts(None, scope, part, medians=False).get(None)
        for name in COUNT_NAMES if edge else ():
            if name == "overdue_open":
                overdue_open += edge[name]
            else:
                totals[name] += edge[name]
        more, less = _points_totals(scope, part)
        awarded, redeemed = awarded + more, redeemed + less
    if not totals["received"]:
        return None, awarded, redeemed
    counts = {**{name: totals[name] for name in COUNT_NAMES if name != "overdue_open"}, "overdue_open": overdue_open}
    counts["response_minutes"] = _rolled_up_median(scope, period, cut)
    return counts, awarded, redeemed


def _rolled_up_median(scope: Scope, period: Period, cut) -> float | None:
    """The median minutes to acceptance: the distribution by whole minute names the minute(s) of the middle
    rank(s); their exact values come from order_responses and are combined as the direct computation does."""
    roots = [area.id for area in scope.roots]
    parts = []
    if cut.first_month is not None:
        parts.append(select(ResponseMonth.minute, ResponseMonth.n).where(
            ResponseMonth.area_id.in_(roots), ResponseMonth.month >= cut.first_month,
            ResponseMonth.month < cut.end_month))
        day_spans = [(cut.first_day, cut.first_month), (cut.end_month, cut.end_day)]
    elif cut.first_day is not None:
        day_spans = [(cut.first_day, cut.end_day)]
    else:
        day_spans = []
    for first, end in day_spans:
        if first < end:
            parts.append(select(ResponseDay.minute, ResponseDay.n).where(
                ResponseDay.area_id.in_(roots), ResponseDay.day >= first, ResponseDay.day < end))
    for start, end in cut.edges:
        parts.append(select(OrderResponse.minute, literal(1).label("n")).where(
            OrderResponse.area_id.in_(scope.area_ids), OrderResponse.created_at >= start,
            OrderResponse.created_at < end))
    both = union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
    histogram = [(int(minute), int(n)) for minute, n in db.session.execute(
        select(both.c.minute, func.sum(both.c.n)).group_by(both.c.minute).having(func.sum(both.c.n) > 0)
        .order_by(both.c.minute))]
    total = sum(n for _minute, n in histogram)
    if not total:
        return None
    ranks = ((total - 1) // 2, total // 2)  # 0-based: the middle one, or the middle two
    wanted, seen = {}, 0
    for minute, n in histogram:
        for rank in ranks:
            if seen <= rank < seen + n:
                wanted[rank] = (minute, rank - seen)
        seen += n
    minutes = sorted({minute for minute, _offset in wanted.values()})
    values: dict[int, list[float]] = {minute: [] for minute in minutes}
    for minute, value in db.session.execute(
            select(OrderResponse.minute, OrderResponse.minutes).where(
                OrderResponse.minute.in_(minutes), OrderResponse.area_id.in_(scope.area_ids),
                OrderResponse.created_at >= period.start, OrderResponse.created_at < period.end)
            .order_by(OrderResponse.minute, OrderResponse.minutes)):
        values[minute].append(value)
    counted = dict(histogram)
    if any(len(values[minute]) != counted[minute] for minute in minutes):
        log.error("figures: the rollups of minute(s) %s disagree with order_responses; median read directly "
                  "(run `flask rebuild-rollups`)", minutes)
        medians = (_postgres_medians if _dialect() == "postgresql" else _sqlite_medians)(None, None, scope, period)
        return medians.get(None)
    low, high = (values[wanted[rank][0]][wanted[rank][1]] for rank in ranks)
    if low == high or ranks[0] == ranks[1]:
        return low
    if _dialect() == "postgresql":
        return low + (high - low) * 0.5  # percentile_cont's interpolation (float8_lerp)
    return (low + high) / 2  # SQLite: avg() of the middle two rows


def breakdown(scope: Scope, period: Period, by: str) -> dict:
    """The figures per category, team, child area or Shanghai day."""
    if by not in BREAKDOWNS:
        raise ValidationFailed({"by": [f"取值应为以下之一：{', '.join(BREAKDOWNS)}"]})
    counts = _order_counts(by, scope, period)
    points = _points(by, scope, period)
    keys = set(counts) | set(points)
    if by == "day":
        if period.end - period.start > timedelta(days=MAX_DAYS):
            raise ValidationFailed({"to": [f"按日统计的期间不能超过 {MAX_DAYS} 天"]})
        keys |= set(_days(period))
    labelled = _labels(by, scope, keys)
    items = [{"key": key, "label": label, **figures(counts.get(raw), points.get(raw, 0))}
             for raw, key, label, _sort in sorted(labelled, key=lambda item: item[3])]
    if by in ("category", "team"):
        items.sort(key=lambda item: (item["key"] is None, -item["received"], -item["points_awarded"]))
    return {**describe(scope, period), "by": by, "items": items}


def _days(period: Period) -> list[str]:
    first = period.local_start.date()
    last = (period.local_end - timedelta(microseconds=1)).date()
    return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


def _labels(by: str, scope: Scope, keys: set) -> list[tuple]:
    """(raw key, public key, label, sort key) for each group key of a breakdown."""
    if by == "day":
        return [(k, k, f"{int(k[5:7])}月{int(k[8:10])}日", k) for k in keys]
    if by == "category":
        rows = db.session.execute(select(Category.id, Category.code, Category.name, Category.sort_order)
                                  .where(Category.id.in_([k for k in keys if k is not None])))
        return [(cid, code, name, (order, code)) for cid, code, name, order in rows]
    if by == "team":
        names = dict(db.session.execute(select(Team.id, Team.name).where(
            Team.id.in_([k for k in keys if k is not None]))).all())
        return [(k, k, names.get(k, NO_TEAM_LABEL) if k is not None else NO_TEAM_LABEL,
                 (k is None, k or 0)) for k in keys]
    # area: '' is the root itself, '=<id>' one of several roots, '<id>' a child of the single root
    ids = {int(k.lstrip("=")) for k in keys if k}
    names = dict(db.session.execute(select(Area.id, Area.name).where(Area.id.in_(ids))).all()) if ids else {}
    labelled = []
    for k in keys:
        if not k:
            root = scope.roots[0]
            labelled.append((k, root.id, f"{root.name}（本级）", (0, 0)))
        else:
            area_id = int(k.lstrip("="))
            labelled.append((k, area_id, names.get(area_id, str(area_id)), (1, area_id)))
    return labelled
