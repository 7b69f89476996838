"""/me/export, DELETE /me (注销) and /audit/pii-access: residents' rights over their personal information."""
from flask import jsonify
from flask_smorest import Blueprint

from app.auth import current_viewer
from app.privacy import access_log, service
from app.schema import Id, ListArgs, Schema, decode_cursor, fields, keyset_page, page_schema

blp = Blueprint("privacy", __name__, description="个人信息：导出我的数据、注销账号、敏感信息查看记录")


class MyDataSchema(Schema):
    profile = fields.Dict()
    orders = fields.List(fields.Dict())
    ratings = fields.List(fields.Dict())
    points = fields.List(fields.Dict())
    messages = fields.List(fields.Dict())
    signups = fields.List(fields.Dict())
    redemptions = fields.List(fields.Dict())
    service_credits = fields.List(fields.Dict())
    exported_at = fields.String()


class AccessLogArgs(ListArgs):
    area_id = Id(metadata={"description": "an area of my scope (its subtree); default: all my areas"})
    viewer_id = Id()


class AccessLogItemSchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    viewer_id = fields.Integer()
    subject_user_id = fields.Integer(allow_none=True)
    order_id = fields.Integer(allow_none=True)
    area_id = fields.Integer()
    what = fields.String()
    ip = fields.String()


@blp.route("/me/export", methods=["GET"])
@blp.response(200, MyDataSchema)
def export_my_data():
    """Everything held about me (个人信息副本): profile, orders, ratings, points, messages, sign-ups, redemptions."""
    response = jsonify(service.export_data(current_viewer()))
    response.headers["Cache-Control"] = "private, no-store"
    return response


@blp.route("/me", methods=["DELETE"])
@blp.response(204)
def delete_me():
    """注销: erase my personal data and end my sessions; orders and figures stay anonymised (409 while I hold a
    role or lead a team)."""
    service.erase_account(current_viewer())
    return None


@blp.route("/audit/pii-access", methods=["GET"])
@blp.arguments(AccessLogArgs, location="query")
@blp.response(200, page_schema(AccessLogItemSchema, "PiiAccessPage"))
def pii_access(args):
    """Who received whose unmasked phone or address, newest first (admins, their areas)."""
    cursor = decode_cursor(args.get("cursor"))
    rows = access_log.entries(current_viewer(), args.get("area_id"), args.get("viewer_id"), args["limit"],
                              cursor and cursor["id"])
    return keyset_page(rows, args["limit"])
