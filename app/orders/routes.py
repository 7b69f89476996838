"""/orders (点单 and every action of the five steps) and /ratings (评单审核)."""
import orjson
from flask import current_app, request
from flask_smorest import Blueprint

from app.auth import current_viewer
from app.errors import ValidationFailed
from app.orders import schemas, service
from app.privacy import access_log
from app.schema import EmptySchema, decode_cursor, keyset_page, page_schema

blp = Blueprint("orders", __name__, description="工单：点单、派单、接单、服务、评单")

IDEMPOTENCY_HEADER = {
    "in": "header", "name": "Idempotency-Key", "required": False, "schema": {"type": "string", "maxLength": 100},
    "description": "the same key and body return the first order; a different body is 422",
}


def _json(body: dict, status: int = 200):
    """The response for a body the presenter gave in JSON types (app/orders/presenter.py): orjson encodes it
    about ten times faster than the json module (same JSON; keys sorted as jsonify sorts them; non-ASCII
    text as UTF-8 rather than \\u escapes). flask-smorest passes a Response through as is."""
    return current_app.response_class(orjson.dumps(body, option=orjson.OPT_SORT_KEYS) + b"\n", status=status,
                                      mimetype="application/json")


def _idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > 100 or not key.isascii() or not key.isprintable():
        raise ValidationFailed({"Idempotency-Key": ["幂等键应为 1 到 100 个可见 ASCII 字符"]})
    return key


@blp.route("/orders", methods=["POST"])
@blp.arguments(schemas.OrderCreateSchema())
@blp.response(201, schemas.OrderSchema)
@blp.alt_response(200, schema=schemas.OrderSchema, description="a replay of an earlier Idempotency-Key")
@blp.doc(parameters=[IDEMPOTENCY_HEADER])
def create_order(body):
    """Place an order (点单) for myself, or for a resident (staff, grid workers: on_behalf_of)."""
    viewer = current_viewer()
    order, created, shown = service.create_order(viewer, body, _idempotency_key())
    return _json(service.present_created(viewer, order, shown), 201 if created else 200)


@blp.route("/orders", methods=["GET"])
@blp.arguments(schemas.OrderListArgs(), location="query")
@blp.response(200, schemas.OrderPageSchema)
def list_orders(args):
    """Orders I may see, newest first: mine, my teams', my areas'."""
    viewer = current_viewer()
    cursor = decode_cursor(args.get("cursor"))
    page = keyset_page(service.list_orders(viewer, args, cursor and cursor["id"]), args["limit"])
    page["items"] = service.present_orders(viewer, page["items"])
    return _json(page)


@blp.route("/orders/<int:order_id>", methods=["GET"])
@blp.response(200, schemas.OrderSchema)
def get_order(order_id):
    """One order with its timeline, rating and the actions I may take."""
    viewer = current_viewer()
    order = service.order_detail(viewer, order_id)
    access_log.order_viewed(viewer, order)  # an unmasked phone or address handed out is logged (DESIGN §8)
    return _json(order)


ACTION_BODIES = {
    "dispatch": (schemas.DispatchSchema, "派单: send the order to a team (staff of the area); on a dispatched order "
                                         "not yet accepted, 改派: to another team"),
    "accept": (EmptySchema, "接单: take the order (a member of the dispatched team)"),
    "decline": (schemas.ReasonSchema, "decline with a reason; the order goes back to dispatch"),
    "start": (EmptySchema, "start the service (the assignee)"),
    "complete": (schemas.CompleteSchema, "report the result (the assignee or the team leader)"),
    "rate": (schemas.RateSchema, "评单: rate the service once (the requester)"),
    "cancel": (schemas.OptionalReasonSchema, "cancel (the requester; staff with a reason)"),
    "close": (schemas.OptionalNoteSchema, "close a completed order (staff)"),
    "reopen": (schemas.ReasonSchema, "reopen after a follow-up found the need unmet (staff)"),
    "review": (schemas.NoteSchema, "record the follow-up (回访) of a rating (staff)"),
}


def _action_view(action: str, summary: str):
    def view(body, order_id):
        return _json(service.act(current_viewer(), order_id, action, body))

    view.__name__ = f"order_{action}"
    view.__doc__ = summary
    return view


for _action, (_schema, _summary) in ACTION_BODIES.items():
    blp.route(f"/orders/<int:order_id>/{_action}", methods=["POST"])(
        blp.arguments(_schema())(blp.response(200, schemas.OrderSchema)(_action_view(_action, _summary))))


@blp.route("/ratings", methods=["GET"])
@blp.arguments(schemas.RatingQueueArgs, location="query")
@blp.response(200, page_schema(schemas.RatingQueueItemSchema, "RatingQueuePage"))
def rating_queue(args):
    """The rating review queue (评单审核): low ratings, and comments WeChat could not check, newest first."""
    cursor = decode_cursor(args.get("cursor"))
    return keyset_page(service.rating_queue(current_viewer(), args, cursor and cursor["id"]), args["limit"])
