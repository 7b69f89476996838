"""/offerings: 亮单."""
from flask_smorest import Blueprint

from app.auth import current_viewer, optional_viewer
from app.offerings import service
from app.offerings.models import OFFERING_STATUSES
from app.schema import (EmptySchema, Id, ListArgs, Schema, Text, decode_cursor, fields, keyset_page,
                        page_schema, validate)

blp = Blueprint("offerings", __name__, description="亮单：服务队发布的服务")


class OfferingSchema(Schema):
    id = fields.Integer()
    team_id = fields.Integer()
    team_name = fields.String(attribute="team.name")
    category = fields.String(attribute="category.code")
    category_name = fields.String(attribute="category.name")
    area_id = fields.Integer()
    title = fields.String()
    description = fields.String()
    service_times = fields.String()
    served_area_ids = fields.List(fields.Integer())
    status = fields.String()
    reject_reason = fields.String()
    created_at = fields.DateTime()
    reviewed_at = fields.DateTime(allow_none=True)


class OfferingArgs(ListArgs):
    area_id = Id()
    category = Text(32)
    team_id = Id()
    status = fields.String(validate=validate.OneOf(OFFERING_STATUSES))


class OfferingCreateSchema(Schema):
    team_id = Id(required=True)
    category = Text(32, required=True)
    title = Text(64, required=True, min_length=2)
    description = Text(1000)
    service_times = Text(200)
    served_area_ids = fields.List(Id(), validate=validate.Length(max=50))


class RejectSchema(Schema):
    reason = Text(200, required=True, min_length=1)


@blp.route("/offerings", methods=["GET"])
@blp.arguments(OfferingArgs, location="query")
@blp.response(200, page_schema(OfferingSchema, "OfferingPage"))
@blp.doc(security=[])
def list_offerings(args):
    """Published offerings (亮单大厅); staff may list pending ones of their areas."""
    cursor = decode_cursor(args.get("cursor"))
    return keyset_page(service.list_offerings(optional_viewer(), args, cursor and cursor["id"]), args["limit"])


@blp.route("/offerings", methods=["POST"])
@blp.arguments(OfferingCreateSchema)
@blp.response(201, OfferingSchema)
def create_offering(body):
    """Publish a service for review (team leaders)."""
    return service.create_offering(current_viewer(), body)


@blp.route("/offerings/<int:offering_id>", methods=["GET"])
@blp.response(200, OfferingSchema)
@blp.doc(security=[])
def get_offering(offering_id):
    """One offering."""
    return service.get_offering(optional_viewer(), offering_id)


@blp.route("/offerings/<int:offering_id>/approve", methods=["POST"])
@blp.arguments(EmptySchema)
@blp.response(200, OfferingSchema)
def approve_offering(_body, offering_id):
    """Publish a pending offering (staff of the area)."""
    return service.review_offering(current_viewer(), offering_id, "approve")


@blp.route("/offerings/<int:offering_id>/reject", methods=["POST"])
@blp.arguments(RejectSchema)
@blp.response(200, OfferingSchema)
def reject_offering(body, offering_id):
    """Reject a pending offering with a reason (staff of the area)."""
    return service.review_offering(current_viewer(), offering_id, "reject", body["reason"])


@blp.route("/offerings/<int:offering_id>/withdraw", methods=["POST"])
@blp.arguments(EmptySchema)
@blp.response(200, OfferingSchema)
def withdraw_offering(_body, offering_id):
    """Take an offering down (the team's leader)."""
    return service.withdraw_offering(current_viewer(), offering_id)
