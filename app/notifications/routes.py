"""/me/messages: my in-app messages (消息中心)."""
from flask_smorest import Blueprint

from app.auth import current_viewer
from app.notifications import service
from app.notifications.service import KIND_LABELS
from app.schema import EmptySchema, ListArgs, Schema, decode_cursor, fields, keyset_page

blp = Blueprint("messages", __name__, description="消息中心：派单、接单、服务完成、催办督办、回访等通知")


class MessageSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "dispatched, accepted, completed, remind, escalate, "
                                                  "followed_up, call"})
    kind_label = fields.Function(lambda message: KIND_LABELS.get(message.kind, "通知"), metadata={"type": "string"})
    title = fields.String()
    body = fields.String()
    order_id = fields.Integer(allow_none=True)
    page = fields.String(metadata={"description": "the mini-program page to open"})
    read = fields.Function(lambda message: message.read_at is not None, metadata={"type": "boolean"})
    read_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class MessagePageSchema(Schema):
    items = fields.List(fields.Nested(MessageSchema))
    next_cursor = fields.String(allow_none=True)
    unread = fields.Integer(metadata={"description": "how many of my messages are unread"})


class MessageListArgs(ListArgs):
    unread = fields.Boolean(metadata={"description": "true: unread messages only"})


class ReadAllSchema(Schema):
    marked = fields.Integer(metadata={"description": "how many messages were marked read"})
    unread = fields.Integer()


@blp.route("/me/messages", methods=["GET"])
@blp.arguments(MessageListArgs, location="query")
@blp.response(200, MessagePageSchema)
def list_messages(args):
    """My messages, newest first, with how many are unread."""
    viewer = current_viewer()
    cursor = decode_cursor(args.get("cursor"))
    page = keyset_page(service.list_messages(viewer, args, cursor and cursor["id"]), args["limit"])
    page["unread"] = service.unread_count(viewer)
    return page


@blp.route("/me/messages/<int:message_id>/read", methods=["POST"])
@blp.arguments(EmptySchema)
@blp.response(200, MessageSchema)
def read_message(_body, message_id):
    """Mark one of my messages read."""
    return service.mark_read(current_viewer(), message_id)


@blp.route("/me/messages/read-all", methods=["POST"])
@blp.arguments(EmptySchema)
@blp.response(200, ReadAllSchema)
def read_all_messages(_body):
    """Mark all my messages read."""
    return {"marked": service.mark_all_read(current_viewer()), "unread": 0}
