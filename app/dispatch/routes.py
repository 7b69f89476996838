"""Dispatch help beside /orders: the order form's duplicate check and the dispatch queue's duplicate marks."""
from flask_smorest import Blueprint
from sqlalchemy import select

from app.auth import current_viewer
from app.categories.service import category_by_code
from app.dispatch import duplicates
from app.dispatch.schemas import DuplicateMarksSchema, DuplicatesArgs, OpenOrderListSchema, PossibleDuplicatesArgs
from app.extensions import db
from app.orders.models import OPEN, Order
from app.orders.scope import Scope, condition

blp = Blueprint("dispatch", __name__, description="派单辅助：重复工单提示")


@blp.route("/orders/possible-duplicates", methods=["GET"])
@blp.arguments(PossibleDuplicatesArgs, location="query")
@blp.response(200, OpenOrderListSchema)
def possible_duplicates(args):
    """My open orders that a new order of this category would duplicate (the form asks before sending)."""
    viewer = current_viewer()
    category = category_by_code(args["category"])
    return {"items": duplicates.possible_duplicates(viewer.id, category.id, args.get("on_behalf_phone"))}


@blp.route("/orders/duplicates", methods=["GET"])
@blp.arguments(DuplicatesArgs, location="query")
@blp.response(200, DuplicateMarksSchema)
def duplicate_marks(args):
    """For open orders I may see (the dispatch queue): the open orders each likely duplicates."""
    scope = Scope.of(current_viewer())  # who sees which order: app/orders/scope.py
    seen, params = condition(*scope.shape), scope.params()
    orders = db.session.execute(select(*duplicates.COLUMNS).where(
        Order.id.in_(args["ids"]), Order.status.in_(OPEN), seen), params).all()
    found = duplicates.duplicates_among(orders, seen, params)
    return {"items": [{"order_id": order_id, "duplicates": ids} for order_id, ids in sorted(found.items()) if ids]}
