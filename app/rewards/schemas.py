"""Schemas of 积分超市: rewards and redemptions."""

from app.rewards.models import REDEMPTION_STATUSES
from app.schema import Id, ListArgs, Schema, Text, fields, page_schema, validate

PHOTO = fields.String(allow_none=True, validate=validate.Regexp(r"^[0-9a-f]{32}$", error="图片编号无效"),
                      metadata={"description": "an attachment id (POST /attachments) of my own upload"})
POINTS = fields.Integer(strict=True, validate=validate.Range(min=1, max=100000))
STOCK = fields.Integer(strict=True, validate=validate.Range(min=0, max=100000))


class RewardCreateSchema(Schema):
    area_id = Id(required=True)
    name = Text(64, required=True, min_length=1)
    description = Text(500)
    photo = PHOTO
    points = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=100000),
                            metadata={"description": "points one costs"})
    stock = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=100000),
                           metadata={"description": "how many are on the shelf"})
    active = fields.Boolean(load_default=True)


class RewardUpdateSchema(Schema):
    name = Text(64, min_length=1)
    description = Text(500)
    photo = PHOTO
    points = POINTS
    stock = STOCK
    active = fields.Boolean()


class RewardListArgs(ListArgs):
    area_id = Id(metadata={"description": "rewards of this area's subtree; default: my communities' and my "
                                          "staff areas'"})
    active = fields.Boolean(metadata={"description": "staff: on sale (true) or off (false); others see only "
                                                     "those on sale"})
    in_stock = fields.Boolean(metadata={"description": "only those with stock left"})


class RewardSchema(Schema):
    id = fields.Integer()
    area_id = fields.Integer()
    area_name = fields.String()
    name = fields.String()
    description = fields.String()
    photo = fields.String(allow_none=True)
    photo_url = fields.String(allow_none=True)
    points = fields.Integer()
    stock = fields.Integer()
    active = fields.Boolean()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class RewardPageSchema(Schema):
    items = fields.List(fields.Nested(RewardSchema))
    next_cursor = fields.String(allow_none=True)
    balance = fields.Integer(metadata={"description": "my points balance"})


class RedemptionListArgs(ListArgs):
    status = fields.DelimitedList(fields.String(validate=validate.OneOf(REDEMPTION_STATUSES)))
    reward_id = Id()


class AreaRedemptionListArgs(RedemptionListArgs):
    area_id = Id(metadata={"description": "an area in my scope (default: all my areas)"})
    code = fields.String(validate=validate.Regexp(r"^\d{8}$", error="核销码应为 8 位数字"),
                         metadata={"description": "the 8-digit code a volunteer shows (核销)"})


class FulfilSchema(Schema):
    code = fields.String(required=True, validate=validate.Regexp(r"^\d{8}$", error="核销码应为 8 位数字"))


class RedemptionSchema(Schema):
    id = fields.Integer()
    reward_id = fields.Integer()
    reward_name = fields.String()
    photo = fields.String(allow_none=True)
    photo_url = fields.String(allow_none=True)
    area_id = fields.Integer()
    area_name = fields.String()
    user_id = fields.Integer()
    user_name = fields.String()
    points = fields.Integer()
    code = fields.String(allow_none=True, metadata={"description": "for its owner only: show it to staff (核销)"})
    status = fields.String(metadata={"description": "pending, fulfilled, cancelled"})
    status_label = fields.String()
    created_at = fields.DateTime()
    fulfilled_at = fields.DateTime(allow_none=True)
    cancelled_at = fields.DateTime(allow_none=True)
    allowed_actions = fields.List(fields.String(), metadata={"description": "fulfil (staff), cancel"})


RedemptionPageSchema = page_schema(RedemptionSchema, "RedemptionPage")
