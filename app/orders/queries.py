"""The hot reads of orders (a list page, one order with its timeline) as Core statements built once.

Building a SQLAlchemy statement and its cache key costs more Python time than the database takes
to answer it (a staff member's page is a UNION of one part per area). So each statement here is
built once per *shape* (how many teams, areas, paths; which filters) with bound parameters for
every value, kept in a bounded LRU cache, and executed with the values of the request. The rows
carry the order's columns plus what its presentation needs (area, community, category, team),
so no ORM objects are made for a read. They are prepared on PostgreSQL (app/database.py): each
is written so that one plan, made without the values, serves them all.
"""
from functools import lru_cache

from sqlalchemy import and_, bindparam, not_, or_, select, union

from app.areas.models import Area, subtree_ids
from app.categories.models import Category
from app.orders.models import OPEN, Order, OrderEvent, Rating
from app.orders.scope import OWN_PARTS, PART_COLUMNS, SHAPES_CACHED, area_patterns, condition
from app.teams.models import Team
from app.users.models import User

ORDERS = Order.__table__
AREAS = Area.__table__
PARENTS = AREAS.alias("parent_areas")
CATEGORIES = Category.__table__
TEAMS = Team.__table__
EVENTS = OrderEvent.__table__
RATINGS = Rating.__table__
ACTORS = User.__table__.alias("actors")

# What a row carries besides the order's own columns (Order attribute names = column names).
PRESENTATION_COLUMNS = (
    AREAS.c.name.label("area_name"), AREAS.c.path.label("area_path"), AREAS.c.kind.label("area_kind"),
    PARENTS.c.name.label("parent_name"), CATEGORIES.c.code.label("category_code"),
    CATEGORIES.c.name.label("category_name"),
)
ORDER_FROM = (ORDERS.join(AREAS, AREAS.c.id == ORDERS.c.area_id)
              .outerjoin(PARENTS, PARENTS.c.id == AREAS.c.parent_id)
              .join(CATEGORIES, CATEGORIES.c.id == ORDERS.c.category_id))


# --- one page of a list -------------------------------------------------------------------------

def _branch(kind: str, index: int):
    """(condition, ordering) of one part of a viewer's scope (app/orders/scope.py): the orders whose `column` is :value,
    newest first, read backwards along the (column, id) index.

    Written as a range of one value ordered by (column, id), not `column = :value` ordered by id: the
    statement is prepared (psycopg prepares what runs often) and a generic plan cannot know how many
    orders the value has; with `=` the planner may then walk the primary key backwards through every
    order looking for a value that has none (a staff member's assigned orders). A range ordered by the
    index's own columns leaves it one plan, the index, whatever the value."""
    column = PART_COLUMNS[kind]
    value = bindparam("viewer_id") if kind in OWN_PARTS else bindparam(f"{kind}{index}")
    return and_(column >= value, column <= value), (column.desc(), ORDERS.c.id.desc())


# A list's filters, by the name of their value in the parameters.
FILTERS = {
    "statuses": lambda: ORDERS.c.status.in_(bindparam("statuses", expanding=True)),
    "fp0": lambda: ORDERS.c.area_id.in_(subtree_ids(area_patterns("fp", 1))),  # the area_id filter's subtree
    "team_filter": lambda: ORDERS.c.team_id == bindparam("team_filter"),
    "category_id": lambda: ORDERS.c.category_id == bindparam("category_id"),
    "cursor": lambda: ORDERS.c.id < bindparam("cursor"),
}


@lru_cache(maxsize=SHAPES_CACHED)
def page_statement(branches: tuple, area_paths: int, filters: tuple, overdue: bool | None, review: tuple | None):
    """A page of orders newest first: each visibility branch walks its own (…, id) index to :limit ids,
    the ids are merged, the page's orders come with their area, community and category. (One OR across the
    branches would have the database scan every order for a viewer who has few: a resident at 1M orders.)

    branches: (kind, index) pairs, kind in requester, created_by, assignee, team (:team{i}), area (:area{i}),
    area_paths (area_id in the areas under :vp0 … :vp{area_paths-1}).
    filters: names of FILTERS. review: None, or (needs_review, number of staff paths :rp0 …).
    """
    # Parts and filters that look up by keys only: one generic plan fits every value (app/database.py). Areas
    # matched by path (a town's or county's list, the area and review filters) are planned with the values.
    by_keys = not area_paths and "fp0" not in filters and review is None
    filters = [FILTERS[name]() for name in filters]
    if overdue is not None:
        late = and_(ORDERS.c.status.in_(OPEN), ORDERS.c.due_at <= bindparam("now"))
        filters.append(late if overdue else not_(late))
    if review is not None:
        flag, paths = review
        filters += [ORDERS.c.needs_review.is_(flag), ORDERS.c.area_id.in_(subtree_ids(area_patterns("rp", paths)))]
    conditions = [_branch(kind, index) for kind, index in branches]
    if area_paths:  # a town's or county's areas: their newest orders are soon found walking all orders
        conditions.append((ORDERS.c.area_id.in_(subtree_ids(area_patterns("vp", area_paths))),
                           (ORDERS.c.id.desc(),)))
    parts = [select(ORDERS.c.id).where(condition, *filters).order_by(*ordering)
             .limit(bindparam("limit")).subquery() for condition, ordering in conditions]
    if len(parts) > 1:  # the page's ids from the merged parts first: only they are joined and presented
        merged = union(*(select(part.c.id) for part in parts)).subquery()
        ids = select(merged.c.id).order_by(merged.c.id.desc()).limit(bindparam("limit"))
    else:
        ids = select(parts[0].c.id)
    return (select(*ORDERS.c, *PRESENTATION_COLUMNS).select_from(ORDER_FROM)
            .where(ORDERS.c.id.in_(ids)).order_by(ORDERS.c.id.desc()).limit(bindparam("limit"))
            .execution_options(prepare=True, generic_plan=by_keys))


def placed_row(order: Order, parent_name: str | None) -> dict:
    """An order just placed (or an Idempotency-Key's first), its area and category loaded, as a list's row: its
    columns and PRESENTATION_COLUMNS' (a test holds them equal). POST /orders answers without reading it back."""
    area, category = order.area, order.category
    return {**{column.name: getattr(order, column.name) for column in ORDERS.c}, "area_name": area.name,
            "area_path": area.path, "area_kind": area.kind, "parent_name": parent_name,
            "category_code": category.code, "category_name": category.name}


# --- one order with its timeline ----------------------------------------------------------------

EVENT_COLUMNS = tuple(column.label(f"event_{column.name}") for column in EVENTS.c
                      if column.name not in ("order_id", "data"))  # the timeline shows neither
RATING_COLUMNS = tuple(column.label(f"rating_{column.name}") for column in RATINGS.c)


@lru_cache(maxsize=SHAPES_CACHED)
def detail_statement(scoped: bool, teams: bool, area_paths: int):
    """The order :order_id (visible to the viewer when scoped) with its area, community, category, team,
    rating and events (one row per event, oldest first; one row of NULL event columns when it has none)."""
    statement = (
        select(*ORDERS.c, *PRESENTATION_COLUMNS, TEAMS.c.name.label("team_name"), *RATING_COLUMNS, *EVENT_COLUMNS,
               ACTORS.c.real_name.label("actor_real_name"), ACTORS.c.nickname.label("actor_nickname"))
        .select_from(ORDER_FROM.outerjoin(TEAMS, TEAMS.c.id == ORDERS.c.team_id)
                     .outerjoin(RATINGS, RATINGS.c.order_id == ORDERS.c.id)
                     .outerjoin(EVENTS, EVENTS.c.order_id == ORDERS.c.id)
                     .outerjoin(ACTORS, ACTORS.c.id == EVENTS.c.actor_id))
        .where(ORDERS.c.id == bindparam("order_id"))
        .order_by(EVENTS.c.id)
    )
    if scoped:
        statement = statement.where(condition(teams, area_paths))
    return statement.execution_options(prepare=True)  # one order by its key: any plan fits every value
