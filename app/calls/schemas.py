from zoneinfo import ZoneInfo


from app.calls.models import CALL_KINDS, CALL_STATUSES, SIGNUP_STATUSES
from app.records.schemas import Minutes
from app.schema import ListArgs, Schema, Text, fields, page_schema, validate

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEFAULT_POINTS = 10
IDS = fields.List(fields.Integer(strict=True), validate=validate.Length(max=50), load_default=list)


class CallTargetSchema(Schema):
    """Who a call is blown for: any of these groups (all of the area's volunteers when absent)."""

    team_ids = IDS
    party_members = fields.Boolean(load_default=False, metadata={"description": "Party members of the area"})
    category_codes = fields.List(fields.String(validate=validate.Length(max=32)), validate=validate.Length(max=20),
                                 load_default=list, metadata={"description": "volunteers serving these"})
    grid_ids = IDS


class CallCreateSchema(Schema):
    area_id = fields.Integer(required=True, strict=True)
    title = Text(64, required=True, min_length=1)
    description = Text(1000, required=True, min_length=1)
    starts_at = fields.AwareDateTime(required=True, default_timezone=SHANGHAI,
                                     metadata={"description": "ISO 8601; without an offset: Asia/Shanghai"})
    place = Text(200, required=True, min_length=1)
    quota = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=1000))
    target = fields.Nested(CallTargetSchema, allow_none=True, load_default=None)
    kind = fields.String(load_default="call", validate=validate.OneOf(CALL_KINDS),
                         metadata={"description": "call: 吹哨 (urgent, targeted); activity: 志愿活动 (open to the area)"})
    points = fields.Integer(load_default=DEFAULT_POINTS, strict=True, validate=validate.Range(min=0, max=100),
                            metadata={"description": "points for each confirmed check-in"})
    duration_minutes = Minutes(load_default=120, metadata={
        "description": "志愿服务时长 credited to each confirmed volunteer (1–720; default 120)"})


class CallConfirmSchema(Schema):
    minutes = Minutes(metadata={"description": "minutes to credit this volunteer (default: the call's "
                                               "duration_minutes)"})


class CallListArgs(ListArgs):
    area_id = fields.Integer(metadata={"description": "calls of this area's subtree"})
    kind = fields.String(validate=validate.OneOf(CALL_KINDS))
    status = fields.String(validate=validate.OneOf(CALL_STATUSES))
    mine = fields.Boolean(metadata={"description": "only those I signed up to"})
    awaiting_confirmation = fields.Boolean(metadata={"description": "only those with check-ins staff have "
                                                                    "not confirmed yet"})


class CallSignupListArgs(ListArgs):
    status = fields.DelimitedList(fields.String(validate=validate.OneOf(SIGNUP_STATUSES)))


class CallSignupSchema(Schema):
    id = fields.Integer()
    call_id = fields.Integer()
    user_id = fields.Integer()
    status = fields.String(metadata={"description": "signed_up, checked_in, confirmed, withdrawn"})
    status_label = fields.String()
    signed_up_at = fields.DateTime()
    withdrawn_at = fields.DateTime(allow_none=True)
    checked_in_at = fields.DateTime(allow_none=True)
    confirmed_at = fields.DateTime(allow_none=True)
    # For staff of the call's area only:
    name = fields.String()
    nickname = fields.String()
    phone = fields.String(allow_none=True)
    is_party_member = fields.Boolean()
    work_unit = fields.String()
    confirmed_by_id = fields.Integer(allow_none=True)


class CallTargetOutSchema(Schema):
    team_ids = fields.List(fields.Integer())
    party_members = fields.Boolean()
    category_codes = fields.List(fields.String())
    grid_ids = fields.List(fields.Integer())


class CallSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    kind_label = fields.String()
    area_id = fields.Integer()
    area_name = fields.String()
    title = fields.String()
    description = fields.String()
    place = fields.String()
    starts_at = fields.DateTime()
    quota = fields.Integer()
    signup_count = fields.Integer()
    remaining = fields.Integer()
    full = fields.Boolean()
    points = fields.Integer()
    duration_minutes = fields.Integer(metadata={"description": "minutes credited to each confirmed volunteer"})
    status = fields.String(metadata={"description": "open, closed"})
    status_label = fields.String()
    target = fields.Nested(CallTargetOutSchema, allow_none=True)
    created_by_id = fields.Integer()
    created_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)
    eligible = fields.Boolean(metadata={"description": "whether I am among those who may sign up"})
    my_signup = fields.Nested(CallSignupSchema, allow_none=True)
    allowed_actions = fields.List(fields.String(), metadata={"description": "signup, withdraw, checkin, close"})
    # Detail, for staff of the call's area only:
    recipient_count = fields.Integer()
    signup_counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    signups = fields.List(fields.Nested(CallSignupSchema), metadata={"description": "the first 50 active sign-ups"})


CallPageSchema = page_schema(CallSchema, "CallPage")
CallSignupPageSchema = page_schema(CallSignupSchema, "CallSignupPage")
