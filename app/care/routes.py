"""/care-plans (周期服务): staff and grid workers set up recurring visits for residents."""
from flask_smorest import Blueprint
from marshmallow import validates_schema

from app.auth import current_viewer
from app.care import service
from app.care.models import PlanStatus
from app.errors import ValidationFailed
from app.orders.models import TIME_SLOTS
from app.schema import (PHONE, EmptySchema, Id, ListArgs, Schema, Text, decode_cursor, fields, keyset_page,
                        page_schema, validate)

blp = Blueprint("care", __name__, description="周期服务（为居民设立的定期上门服务）")


class ResidentSchema(Schema):
    user_id = Id(metadata={"description": "a resident with an account; or name and phone"})
    name = Text(32, min_length=1)
    phone = Text(20, validate=PHONE)


class CarePlanCreateSchema(Schema):
    resident = fields.Nested(ResidentSchema, required=True)
    area_id = Id(required=True)
    category = Text(32, required=True)
    title = Text(64)
    description = Text(1000, required=True, min_length=2)
    address = Text(200, required=True, min_length=2)
    weekdays = fields.List(fields.Integer(strict=True, validate=validate.Range(min=1, max=7)), required=True,
                           validate=validate.Length(min=1, max=7),
                           metadata={"description": "ISO weekdays: 1 = Monday … 7 = Sunday"})
    time_slot = fields.String(required=True, validate=validate.OneOf(TIME_SLOTS))
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(allow_none=True)
    team_id = Id(allow_none=True)

    @validates_schema
    def resident_given(self, data, **_):
        resident = data.get("resident") or {}
        if resident.get("user_id") is None and not (resident.get("name") and resident.get("phone")):
            raise ValidationFailed({"resident": ["请选择居民，或填写居民姓名和电话"]})


class CarePlanArgs(ListArgs):
    area_id = Id()
    status = fields.String(validate=validate.OneOf([s.value for s in PlanStatus]))


class VisitSchema(Schema):
    visit_on = fields.Date()
    order_id = fields.Integer(allow_none=True)
    status = fields.String(allow_none=True)
    team_id = fields.Integer(allow_none=True)


class CarePlanSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    area_id = fields.Integer()
    area_name = fields.String(attribute="area.name")
    owner_id = fields.Integer()
    owner_name = fields.String(attribute="owner.display_name")
    resident_id = fields.Integer(allow_none=True)
    resident_name = fields.String()
    category = fields.String(attribute="category.code")
    category_name = fields.String(attribute="category.name")
    title = fields.String()
    description = fields.String()
    weekdays = fields.List(fields.Integer())
    time_slot = fields.String()
    schedule = fields.String(metadata={"description": "e.g. 每周一、周四上午"})
    starts_on = fields.Date()
    ends_on = fields.Date(allow_none=True)
    team_id = fields.Integer(allow_none=True)
    team_name = fields.String(allow_none=True)
    next_visit_on = fields.Date(allow_none=True)
    allowed_actions = fields.List(fields.String())
    created_at = fields.DateTime()


class CarePlanDetailSchema(CarePlanSchema):
    """A plan's page: with the resident's phone and address (its reading is logged, DESIGN §8) and its visits."""

    resident_phone = fields.String()
    address = fields.String()
    visits = fields.List(fields.Nested(VisitSchema), attribute="filed_visits",
                         metadata={"description": "filed visits, newest first"})


@blp.route("/care-plans", methods=["GET"])
@blp.arguments(CarePlanArgs, location="query")
@blp.response(200, page_schema(CarePlanSchema, "CarePlanPage"))
def list_plans(args):
    """Care plans of my areas (staff, grid workers), newest first."""
    cursor = decode_cursor(args.get("cursor"))
    return keyset_page(service.list_plans(current_viewer(), args, cursor and cursor["id"]), args["limit"])


@blp.route("/care-plans", methods=["POST"])
@blp.arguments(CarePlanCreateSchema)
@blp.response(201, CarePlanDetailSchema)
def create_plan(body):
    """Set up a recurring visit for a resident of my area (staff, grid workers)."""
    return service.create_plan(current_viewer(), body)  # committed at the request's end (app/database.py)


@blp.route("/care-plans/<int:plan_id>", methods=["GET"])
@blp.response(200, CarePlanDetailSchema)
def get_plan(plan_id):
    """One plan with its filed visits."""
    viewer = current_viewer()
    plan = service.get_plan(viewer, plan_id)
    service.plan_viewed(viewer, plan)
    return plan


def _action_view(action: str, summary: str):
    def view(_body, plan_id):
        return service.act_on_plan(current_viewer(), plan_id, action)

    view.__name__ = f"care_plan_{action}"
    view.__doc__ = summary
    return view


for _action, _summary in (("pause", "Pause a plan: no visit is filed while paused"),
                          ("resume", "Resume a paused plan"), ("end", "End a plan for good")):
    blp.route(f"/care-plans/<int:plan_id>/{_action}", methods=["POST"])(
        blp.arguments(EmptySchema())(blp.response(200, CarePlanDetailSchema)(_action_view(_action, _summary))))
