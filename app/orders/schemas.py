from marshmallow import ValidationError, validates_schema

from app.dispatch.schemas import DispatchTeamSchema
from app.orders.models import OrderStatus
from app.records.schemas import Minutes
from app.schema import PHONE, Id, ListArgs, Schema, Text, fields, page_schema, validate

PHOTOS = fields.List(fields.String(validate=validate.Regexp(r"^[0-9a-f]{32}$", error="图片编号无效")),
                     validate=validate.Length(max=9),
                     load_default=list)


class OnBehalfSchema(Schema):
    name = Text(32, required=True, min_length=1)
    phone = Text(20, required=True, validate=PHONE)


class OrderCreateSchema(Schema):
    category = Text(32, required=True)
    description = Text(1000, required=True, min_length=2)
    address = Text(200, required=True, min_length=2)
    contact_name = Text(32, required=True, min_length=1)
    contact_phone = Text(20, validate=PHONE)
    use_bound_phone = fields.Boolean(metadata={"description": "联系电话用我绑定的手机号（不传 contact_phone）"})
    area_id = Id(required=True)
    title = Text(64)
    offering_id = Id(allow_none=True)
    preferred_time = Text(100)
    photos = PHOTOS
    on_behalf_of = fields.Nested(OnBehalfSchema, allow_none=True)

    @validates_schema
    def _one_contact_phone(self, data, **kwargs):
        if data.get("use_bound_phone"):
            if data.get("on_behalf_of"):
                raise ValidationError("代居民点单时请填写居民的联系电话", "use_bound_phone")
            if data.get("contact_phone"):
                raise ValidationError("填写了联系电话就不用再选绑定的手机号", "use_bound_phone")
        elif not data.get("contact_phone"):
            raise ValidationError("请填写联系电话", "contact_phone")


class OrderListArgs(ListArgs):
    status = fields.DelimitedList(fields.String(validate=validate.OneOf([s.value for s in OrderStatus])))
    area_id = Id()
    team_id = Id()
    category = Text(32)
    overdue = fields.Boolean()
    needs_review = fields.Boolean(metadata={"description": "staff: orders whose text WeChat could not check"})
    view = fields.String(validate=validate.OneOf(["requester", "team", "assigned", "area"]),
                         metadata={"description": "requester: mine; team: my teams'; assigned: mine to serve; "
                                                  "area: my areas' (staff)"})


class DispatchSchema(Schema):
    team_id = Id(required=True)
    note = Text(200)


class ReasonSchema(Schema):
    reason = Text(200, required=True, min_length=1)


class OptionalReasonSchema(Schema):
    reason = Text(200)


class CompleteSchema(Schema):
    result = Text(1000, required=True, min_length=2)
    photos = PHOTOS
    service_minutes = Minutes(metadata={"description": "志愿服务时长 (1–720); default: from start, or else from "
                                                       "accept, to now"})
    helpers = fields.List(Id(), validate=validate.Length(max=20), load_default=list,
                          metadata={"description": "user ids of team members who served with the assignee; "
                                                   "each is credited the minutes too"})


class RateSchema(Schema):
    stars = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=5))
    comment = Text(500)
    tags = fields.List(Text(16, min_length=1), validate=validate.Length(max=10), load_default=list)


class NoteSchema(Schema):
    note = Text(500, required=True, min_length=1)


class OptionalNoteSchema(Schema):
    note = Text(500)


class EventSchema(Schema):
    id = fields.Integer()
    action = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    note = fields.String()
    actor_id = fields.Integer(allow_none=True)
    actor_name = fields.String()
    created_at = fields.DateTime()


class RatingSchema(Schema):
    id = fields.Integer()
    order_id = fields.Integer()
    stars = fields.Integer()
    tags = fields.List(fields.String())
    comment = fields.String()
    needs_review = fields.Boolean()
    review_note = fields.String()
    reviewed_by_id = fields.Integer(allow_none=True)
    reviewed_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class PersonSchema(Schema):
    name = fields.String()
    phone = fields.String()


class OrderSchema(Schema):
    """An order as the presenter gives it (app/orders/presenter.py), sent as it is: this declares it for the
    OpenAPI document, and tests check that its dump of each presented order equals the order."""

    id = fields.Integer()
    status = fields.String()
    category = fields.String()
    category_name = fields.String()
    title = fields.String()
    description = fields.String()
    address = fields.String()
    contact_name = fields.String()
    contact_phone = fields.String()
    preferred_time = fields.String()
    photos = fields.List(fields.String())
    area_id = fields.Integer()
    area_name = fields.String()
    offering_id = fields.Integer(allow_none=True)
    team_id = fields.Integer(allow_none=True)
    team_name = fields.String(allow_none=True)
    assignee_id = fields.Integer(allow_none=True)
    requester_id = fields.Integer()
    on_behalf_of = fields.Nested(PersonSchema, allow_none=True)
    result = fields.String()
    result_photos = fields.List(fields.String())
    cancel_reason = fields.String()
    needs_review = fields.Boolean()
    created_at = fields.DateTime()
    due_at = fields.DateTime()
    dispatched_at = fields.DateTime(allow_none=True)
    accepted_at = fields.DateTime(allow_none=True)
    started_at = fields.DateTime(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)
    rated_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    cancelled_at = fields.DateTime(allow_none=True)
    overdue = fields.Boolean()
    version = fields.Integer()
    allowed_actions = fields.List(fields.String())
    events = fields.List(fields.Nested(EventSchema))
    rating = fields.Nested(RatingSchema, allow_none=True)
    dispatch_teams = fields.List(fields.Nested(DispatchTeamSchema), metadata={
        "description": "staff who may dispatch the order now: exactly the teams that may take it, best first"})
    possible_duplicates = fields.List(fields.Integer(), metadata={
        "description": "POST /orders only: the requester's open orders of the same category from the last 3 days"})


OrderPageSchema = page_schema(OrderSchema, "OrderPage")


class RatingQueueItemSchema(RatingSchema):
    order_title = fields.String(attribute="order.title")
    area_id = fields.Integer(attribute="order.area_id")
    area_name = fields.String(attribute="order.area.name")
    team_id = fields.Integer(attribute="order.team_id", allow_none=True)
    assignee_id = fields.Integer(attribute="order.assignee_id", allow_none=True)


class RatingQueueArgs(ListArgs):
    max_stars = fields.Integer(load_default=2, validate=validate.Range(min=1, max=5))
    reviewed = fields.Boolean()
