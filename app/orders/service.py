"""Rules for orders: creation (点单), every action of the state machine, scope and lists."""
import hashlib
import json
from contextlib import nullcontext
from datetime import timedelta
from functools import lru_cache

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from app import clock, ratelimits
from app.areas.models import Area, like_prefix
from app.areas.service import UNKNOWN_AREA, require_area
from app.attachments.service import link_to_order
from app.auth.viewer import STAFF_ROLES, Viewer
from app.categories.models import Category
from app.categories.service import category_by_code
from app.database import changed_one
from app.dispatch import automatic, duplicates, ranking
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.moderation import screen_text
from app.offerings.service import orderable_offering
from app.orders import queries
from app.orders import transitions as t
from app.orders.models import IdempotencyKey, Order, OrderEvent, OrderStatus, Rating
from app.orders.presenter import Presenter
from app.orders.scope import SHAPES_CACHED, Scope, condition, path_params, team_and_refusal
from app.orders.signals import order_changed
from app.teams.models import Team

def get_order(viewer: Viewer, order_id: int) -> Order:
    """An order the viewer may see, with its area and category, to act on; any other is 404."""
    scope = Scope.of(viewer)
    order = db.session.scalars(_order_statement(*scope.shape), {"order_id": order_id, **scope.params()}).first()
    if order is None:
        raise NotFound("找不到该工单")
    return order


@lru_cache(maxsize=SHAPES_CACHED)
def _order_statement(teams: bool, area_paths: int):
    """get_order's statement, built once per shape (its values bound at execution)."""
    return (select(Order).options(joinedload(Order.area), joinedload(Order.category))
            .where(Order.id == bindparam("order_id"), condition(teams, area_paths))
            .execution_options(prepare=True))  # one order by its key (app/database.py)


# --- lists --------------------------------------------------------------------------------------

def list_orders(viewer: Viewer, args: dict, cursor_id: int | None) -> list:
    """One page of the orders the viewer may see, newest first, filtered: rows of queries.page_statement, which
    walks each part of the viewer's scope (Scope.list_parts) on its own index."""
    params = {"viewer_id": viewer.id, "limit": args["limit"] + 1}
    if args.get("status"):
        params["statuses"] = list(args["status"])
    if args.get("area_id") is not None:
        params["fp0"] = like_prefix(require_area(args["area_id"]).path)
    if args.get("team_id") is not None:
        params["team_filter"] = args["team_id"]
    if args.get("category"):
        params["category_id"] = category_by_code(args["category"]).id
    overdue = args.get("overdue")
    if overdue is not None:
        params["now"] = clock.now()
    review = None
    if args.get("needs_review") is not None:  # the flag is staff's business: only their areas' orders
        staff_paths = Scope.of(viewer).staff_paths
        review = (args["needs_review"], len(staff_paths))
        params.update(path_params("rp", staff_paths))
    if cursor_id:
        params["cursor"] = cursor_id
    branches, area_paths = Scope.of(viewer).list_parts(args.get("view"), params)
    if not branches and not area_paths:
        return []
    filters = tuple(name for name in queries.FILTERS if name in params)
    return db.session.execute(queries.page_statement(branches, area_paths, filters, overdue, review), params).all()


def _detail_rows(viewer: Viewer, order_id: int, scoped: bool) -> list:
    """queries.detail_statement's rows of an order the viewer may see (scoped=False: one they have just placed
    or acted on); 404 if none."""
    scope = Scope.of(viewer)
    params = {"order_id": order_id, **(scope.params() if scoped else {})}
    rows = db.session.execute(queries.detail_statement(scoped, *(scope.shape if scoped else (False, 0))),
                              params).mappings().all()
    if not rows:
        raise NotFound("找不到该工单")
    return rows


def order_detail(viewer: Viewer, order_id: int) -> dict:
    """GET /orders/{id}: an order the viewer may see, presented with its timeline and rating, from one statement;
    staff who may dispatch it now also get the ranked teams (DESIGN §8)."""
    rows = _detail_rows(viewer, order_id, scoped=True)
    presented = Presenter(viewer).present_detail(rows)
    if "dispatch" in presented["allowed_actions"]:
        # An order already dispatched (改派): the teams it may go to instead, its own team left out.
        current = rows[0]["team_id"] if rows[0]["status"] == OrderStatus.DISPATCHED else None
        presented["dispatch_teams"] = ranking.dispatch_teams(rows[0]["area_path"], rows[0]["category_id"], current)
    return presented


# --- creation -----------------------------------------------------------------------------------

def _body_hash(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def create_order(viewer: Viewer, data: dict, idempotency_key: str | None = None) -> tuple[Order, bool, dict]:
    """Place an order (点单); returns (order, created, what its answer shows beside it: present_created's `shown`).
    Replays of an Idempotency-Key return the first order."""
    if idempotency_key:
        replay = _replayed_order(viewer, idempotency_key, data)
        if replay is not None:
            return replay
    on_behalf = data.get("on_behalf_of")
    ratelimits.enforce("RATELIMIT_ORDER_CREATE_STAFF" if on_behalf else "RATELIMIT_ORDER_CREATE", "order-create",
                       str(viewer.id), "下单太频繁，请稍后再试")
    area, category, shown = _area_and_category(viewer, data)
    if area.kind not in ("community", "grid"):  # where orders are placed
        raise ValidationFailed({"area_id": ["请选择社区或网格"]})
    if on_behalf and not Scope.of(viewer).may_file_for_others(area.path):
        raise Forbidden("只有本区域的工作人员或网格员可以代居民下单")
    category = category or category_by_code(data["category"])  # unknown: its field error
    contact_phone = data.get("contact_phone") or ""
    if data.get("use_bound_phone"):
        contact_phone = viewer.user.phone or ""
        if not contact_phone:
            raise ValidationFailed({"use_bound_phone": ["您还没有绑定手机号，请填写联系电话"]})
    offering = orderable_offering(data.get("offering_id"), category.id)
    flagged = screen_text(viewer.user.openid, {"title": data.get("title", ""),
                                                "description": data["description"]})
    now = clock.now()
    order = Order(
        status=OrderStatus.ORDERED, category_id=category.id, offering_id=offering.id if offering else None,
        area_id=area.id, title=data.get("title") or (offering.title if offering else category.name),
        description=data["description"], address=data["address"], contact_name=data["contact_name"],
        contact_phone=contact_phone, preferred_time=data.get("preferred_time", ""),
        photos=data.get("photos", []), requester_id=viewer.id, created_by_id=viewer.id,
        on_behalf_name=on_behalf["name"] if on_behalf else None,
        on_behalf_phone=on_behalf["phone"] if on_behalf else None,
        needs_review=flagged, created_at=now, due_at=now + timedelta(hours=category.sla_hours), version=1,
        care_plan_id=data.get("care_plan_id"),  # set by app/care only (the HTTP schema has no such field)
    )
    order.area, order.category = area, category
    try:
        # With a key, in a savepoint (begun before anything is added: it flushes what is pending): a lost race
        # undoes these inserts only, and the request's transaction goes on to answer with the winner's order.
        with db.session.begin_nested() if idempotency_key else nullcontext():
            db.session.add(order)
            db.session.flush()  # the order's id, which its key records (flushed as the savepoint ends)
            if idempotency_key:
                db.session.add(IdempotencyKey(user_id=viewer.id, key=idempotency_key, request_hash=_body_hash(data),
                                              order_id=order.id))
    except IntegrityError:
        # A concurrent request with the same key won: answer with its order.
        replay = _replayed_order(viewer, idempotency_key, data)
        if replay is None:
            raise Conflict("相同的请求正在处理中，请稍后再试") from None
        return replay
    link_to_order(viewer, order.id, order.photos)
    note = f"代 {on_behalf['name']} 下单" if on_behalf else ""
    _record(order, viewer, "create", None, OrderStatus.ORDERED, note)
    dispatch_to = automatic.team_for_new_order(order, area, data.get("plan_team_id"))
    if dispatch_to is not None:
        system_dispatch(order, *dispatch_to)
    return order, True, shown


@lru_cache(maxsize=1)
def _area_and_category_statement():
    parent, category_id = aliased(Area), select(Category.id).where(Category.code == bindparam("code"))
    return (select(Area, Category, parent.name, duplicates.earlier_ids(category_id.scalar_subquery()))
            .select_from(Area).outerjoin(Category, Category.code == bindparam("code"))
            .outerjoin(parent, parent.id == Area.parent_id).where(Area.id == bindparam("area_id"))
            .execution_options(prepare=True))  # by keys: one plan fits every value (app/database.py)


def _area_and_category(viewer: Viewer, data: dict, last_id: int = duplicates.LAST_ID) -> tuple:
    """The order's area (a field error if unknown), its category (None if unknown) and what its answer shows (the
    parent area's name, the likely duplicates' ids: duplicates.earlier_ids), in one statement: the checks keep
    their order (area, on-behalf right, category) and a create its statement count."""
    params = duplicates.new_order_params(viewer.id, (data.get("on_behalf_of") or {}).get("phone"), last_id)
    row = db.session.execute(_area_and_category_statement(),
                             {"area_id": data["area_id"], "code": data["category"], **params}).first()
    if row is None:
        raise ValidationFailed({"area_id": [UNKNOWN_AREA]})
    return row[0], row[1], {"parent_name": row[2], "duplicate_ids": row[3]}


def _replayed_order(viewer: Viewer, key: str, data: dict) -> tuple[Order, bool, dict] | None:
    """The key's first order, with what its answer shows read again as then (None: a new key)."""
    record = db.session.scalars(select(IdempotencyKey).where(
        IdempotencyKey.user_id == viewer.id, IdempotencyKey.key == key)).first()
    if record is None:
        return None
    if record.request_hash != _body_hash(data):
        raise ValidationFailed({"Idempotency-Key": ["该幂等键已用于内容不同的请求"]})
    order = get_order(viewer, record.order_id)
    return order, False, _area_and_category(viewer, data, last_id=order.id - 1)[2]


# --- actions ------------------------------------------------------------------------------------

def _record(order: Order, viewer: Viewer | None, action: str, from_status, to_status, note: str = "",
            **data) -> OrderEvent:
    event = OrderEvent(order_id=order.id, actor_id=viewer.id if viewer else None, action=action,
                       from_status=from_status, to_status=to_status, note=note, data=data,
                       created_at=clock.now())
    db.session.add(event)
    db.session.flush()
    order_changed.send(order, event=event, viewer=viewer)
    return event


def _apply(viewer: Viewer | None, order: Order, action: str, order_parties: set[str], values: dict,
           note: str = "", **data) -> Order:
    """Move the order if it is still as we read it; the loser of a race gets 409."""
    rule = t.check(action, order_parties, order.status)
    from_status = order.status
    to_status = rule.target or order.status
    changed_one(update(Order).where(Order.id == order.id, Order.version == order.version, Order.status == from_status)
                .values(status=to_status, version=Order.version + 1, **values), t.InvalidTransition())
    for key, value in {"status": to_status, "version": order.version + 1, **values}.items():
        set_committed_value(order, key, value)  # what the UPDATE wrote, without another SELECT
    stale = [name for name, key in (("team", "team_id"), ("assignee", "assignee_id")) if key in values]
    if stale:
        db.session.expire(order, stale)
    _record(order, viewer, action, from_status, to_status, note, **data)
    return order


def act(viewer: Viewer, order_id: int, action: str, body: dict) -> dict:
    """Take one action of the state machine on an order the viewer can see; the order as presented after it."""
    order = get_order(viewer, order_id)
    order_parties = Scope.of(viewer).order_parties(order)
    t.check(action, order_parties, order.status)  # who before what: 403, then 409
    ACTION_HANDLERS[action](viewer, order, order_parties, body)
    # Read back in the request's transaction (it commits at the request's end): it sees what was just
    # written. Not scoped: a member who declined no longer sees the order, yet gets it back once.
    db.session.flush()
    # As the detail presents it, without dispatch_teams: after 派单 staff may 改派, but the ranking is read
    # when a client asks for it (GET).
    return Presenter(viewer).present_detail(_detail_rows(viewer, order_id, scoped=False))


def _dispatch(viewer, order, order_parties, body):
    """派单, or 改派 of an order already dispatched (not yet accepted) to another team: the accept clock starts
    again from the new `dispatched_at` (app/supervision), and the event names the team it came from (the
    notifications tell that team's members, app/notifications). Accepting and 改派 race on the order's
    version: one of them wins, the other gets 409."""
    previous = order.team_id if order.status == OrderStatus.DISPATCHED else None
    team, refusal = team_and_refusal(body["team_id"], order.area.path, order.category_id, previous)
    if refusal:
        raise ValidationFailed({"team_id": [refusal]})
    extra = {"previous_team_id": previous} if previous is not None else {}
    _apply(viewer, order, "dispatch", order_parties, {"team_id": team.id, "dispatched_at": clock.now()},
           body.get("note", ""), team_id=team.id, team_name=team.name, **extra)


def _accept(viewer, order, order_parties, body):
    _apply(viewer, order, "accept", order_parties, {"assignee_id": viewer.id, "accepted_at": clock.now()})


def _decline(viewer, order, order_parties, body):
    _apply(viewer, order, "decline", order_parties,
           {"team_id": None, "assignee_id": None, "dispatched_at": None}, body["reason"],
           team_id=order.team_id)


def _start(viewer, order, order_parties, body):
    _apply(viewer, order, "start", order_parties, {"started_at": clock.now()})


def _complete(viewer, order, order_parties, body):
    flagged = screen_text(viewer.user.openid, {"result": body["result"]})
    photos = body.get("photos", [])
    link_to_order(viewer, order.id, photos)
    values = {"result": body["result"], "result_photos": photos, "completed_at": clock.now()}
    if flagged:
        values["needs_review"] = True
    # Who served and for how long: app/records credits them from the event (and refuses non-members).
    _apply(viewer, order, "complete", order_parties, values, body["result"][:500],
           service_minutes=body.get("service_minutes"), helpers=body.get("helpers", []))


def _rate(viewer, order, order_parties, body):
    flagged = screen_text(viewer.user.openid, {"comment": body.get("comment", "")})
    rating = db.session.scalars(select(Rating).where(Rating.order_id == order.id)).first()
    if rating is None:  # a reopened order keeps one rating row, replaced when rated again
        rating = Rating(order_id=order.id)
        db.session.add(rating)
    rating.stars, rating.tags, rating.comment = body["stars"], body.get("tags", []), body.get("comment", "")
    rating.needs_review, rating.created_at = flagged, clock.now()
    rating.reviewed_by_id, rating.review_note, rating.reviewed_at = None, "", None
    _apply(viewer, order, "rate", order_parties, {"rated_at": clock.now()}, rating.comment[:500],
           stars=rating.stars)


def _cancel(viewer, order, order_parties, body):
    reason = body.get("reason", "")
    if t.check("cancel", order_parties, order.status).needs_reason and not reason:
        raise ValidationFailed({"reason": ["请填写取消原因"]})
    _apply(viewer, order, "cancel", order_parties, {"cancel_reason": reason, "cancelled_at": clock.now()},
           reason)


def _close(viewer, order, order_parties, body):
    _apply(viewer, order, "close", order_parties, {"closed_at": clock.now()}, body.get("note", ""))


def _reopen(viewer, order, order_parties, body):
    now = clock.now()
    _apply(viewer, order, "reopen", order_parties, {
        "team_id": None, "assignee_id": None, "dispatched_at": None, "accepted_at": None,
        "started_at": None, "completed_at": None, "rated_at": None, "closed_at": None,
        "due_at": now + timedelta(hours=order.category.sla_hours),
    }, body["reason"], previous_team_id=order.team_id, previous_assignee_id=order.assignee_id)


def _review(viewer, order, order_parties, body):
    rating = db.session.scalars(select(Rating).where(Rating.order_id == order.id)).one()
    rating.reviewed_by_id, rating.review_note, rating.reviewed_at = viewer.id, body["note"], clock.now()
    _apply(viewer, order, "review", order_parties, {}, body["note"])


ACTION_HANDLERS = {
    "dispatch": _dispatch, "accept": _accept, "decline": _decline, "start": _start,
    "complete": _complete, "rate": _rate, "cancel": _cancel, "close": _close,
    "reopen": _reopen, "review": _review,
}


def system_close(order: Order, note: str) -> bool:
    """The supervision worker closes a completed order left unrated; False if it moved meanwhile."""
    try:
        _apply(None, order, "close", {t.SYSTEM}, {"closed_at": clock.now()}, note)
    except t.InvalidTransition:
        return False
    return True


def system_dispatch(order: Order, team_id: int, note: str) -> None:
    """Dispatch without staff (automatic dispatch, a care plan's team): event `dispatch` with no actor."""
    team = db.session.get(Team, team_id)
    _apply(None, order, "dispatch", {t.SYSTEM}, {"team_id": team.id, "dispatched_at": clock.now()}, note,
           team_id=team.id, team_name=team.name)


def system_event(order: Order, action: str, note: str, **data) -> OrderEvent:
    """The supervision worker records a step (remind, escalate) that leaves the status as it is."""
    return _record(order, None, action, order.status, order.status, note, **data)


# --- presentation -------------------------------------------------------------------------------

def present_created(viewer: Viewer, order: Order, shown: dict) -> dict:
    """POST /orders' answer: the order just placed (or an Idempotency-Key's first), presented as the list shows it
    from what was written (queries.placed_row), with its likely duplicates' ids (`shown`, read with its area)."""
    presented = Presenter(viewer).present(queries.placed_row(order, shown["parent_name"]))
    presented["possible_duplicates"] = duplicates.ids_of(shown["duplicate_ids"])
    return presented


def present_orders(viewer: Viewer, rows: list) -> list[dict]:
    """A page of list_orders' rows, presented (the viewer's scope read once for the page)."""
    presenter = Presenter(viewer)
    return [presenter.present(row._mapping) for row in rows]


# --- the rating review queue (评单审核) ---------------------------------------------------------

def rating_queue(viewer: Viewer, args: dict, cursor_id: int | None) -> list[Rating]:
    viewer.require_role(STAFF_ROLES)
    query = (select(Rating).join(Order, Rating.order_id == Order.id)
             .options(joinedload(Rating.order).joinedload(Order.area))
             .where(Order.area_id.in_(viewer.area_ids_select(STAFF_ROLES)), Order.status == OrderStatus.RATED)
             .order_by(Rating.id.desc()).limit(args["limit"] + 1))
    if args.get("max_stars") is not None:
        # Low ratings, and any whose comment WeChat could not check: both want a human look.
        query = query.where(or_(Rating.stars <= args["max_stars"], Rating.needs_review.is_(True)))
    if args.get("reviewed") is not None:
        query = query.where(Rating.reviewed_at.is_not(None) if args["reviewed"] else Rating.reviewed_at.is_(None))
    if cursor_id:
        query = query.where(Rating.id < cursor_id)
    return list(db.session.scalars(query))

