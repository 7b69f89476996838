"""/areas: the area tree."""
from flask_smorest import Blueprint
from sqlalchemy import select

from app.areas import service
from app.areas.models import AREA_KINDS, Area
from app.auth import ADMIN_ROLES, STAFF_ROLES, current_viewer
from app.errors import NotFound
from app.extensions import db
from app.schema import Id, ListArgs, Schema, Text, decode_cursor, fields, keyset_page, page_schema, validate

blp = Blueprint("areas", __name__, description="区域（县、镇、社区、网格）")


class AreaSchema(Schema):
    id = fields.Integer()
    parent_id = fields.Integer(allow_none=True)
    kind = fields.String()
    name = fields.String()
    dispatch_limit_hours = fields.Float(allow_none=True)
    accept_limit_hours = fields.Float(allow_none=True)
    auto_dispatch = fields.Boolean()


class AreaArgs(ListArgs):
    kind = fields.String(validate=validate.OneOf(AREA_KINDS))
    parent_id = Id()
    q = Text(32, min_length=1, metadata={"description": "名称包含这些字（搜索社区）"})
    ids = fields.DelimitedList(Id(), validate=validate.Length(max=50),
                               metadata={"description": "只要这些区域，例如 ids=3,4（用户自己的社区）"})


class AreaCreateSchema(Schema):
    name = Text(64, required=True, min_length=1)
    kind = fields.String(required=True, validate=validate.OneOf(AREA_KINDS))
    parent_id = Id(required=True)


class AreaUpdateSchema(Schema):
    name = Text(64, min_length=1)
    dispatch_limit_hours = fields.Float(allow_none=True, validate=validate.Range(min=0.5, max=720))
    accept_limit_hours = fields.Float(allow_none=True, validate=validate.Range(min=0.5, max=720))
    auto_dispatch = fields.Boolean(metadata={
        "description": "staff and admins: orders placed here (and in every area below) go straight to the one "
                       "team that may take them, when there is exactly one"})


@blp.route("/areas", methods=["GET"])
@blp.arguments(AreaArgs, location="query")
@blp.response(200, page_schema(AreaSchema, "AreaPage"))
@blp.doc(security=[])
def list_areas(args):
    """Area tree nodes, by kind, parent, ids or a part of the name."""
    query = select(Area).order_by(Area.id).limit(args["limit"] + 1)
    if "q" in args:
        query = query.where(Area.name.contains(args["q"].strip(), autoescape=True))
    if "ids" in args:
        query = query.where(Area.id.in_(args["ids"]))
    if "kind" in args:
        query = query.where(Area.kind == args["kind"])
    if "parent_id" in args:
        query = query.where(Area.parent_id == args["parent_id"])
    cursor = decode_cursor(args.get("cursor"))
    if cursor:
        query = query.where(Area.id > cursor["id"])
    return keyset_page(list(db.session.scalars(query)), args["limit"])


@blp.route("/areas", methods=["POST"])
@blp.arguments(AreaCreateSchema)
@blp.response(201, AreaSchema)
def create_area(body):
    """Add an area under one of mine (admins)."""
    viewer = current_viewer()
    viewer.require_role(ADMIN_ROLES)
    parent = service.require_area(body["parent_id"], "parent_id")
    if not viewer.covers(parent.path, ADMIN_ROLES):
        raise NotFound("找不到上级区域")
    return service.add_area(body["name"], body["kind"], parent)


@blp.route("/areas/<int:area_id>", methods=["PATCH"])
@blp.arguments(AreaUpdateSchema)
@blp.response(200, AreaSchema)
def update_area(body, area_id):
    """Rename an area or set its supervision limits (admins); switch automatic dispatch (staff, admins)."""
    viewer = current_viewer()
    area = service.get_area(area_id)
    roles = STAFF_ROLES if set(body) <= {"auto_dispatch"} else ADMIN_ROLES
    if not viewer.covers(area.path, roles):
        raise NotFound("找不到该区域")
    return service.update_area(area, body)
