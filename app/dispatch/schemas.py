"""The shapes of dispatch help: ranked teams, likely duplicates."""
from app.schema import PHONE, Id, Schema, Text, fields, validate


class DispatchTeamSchema(Schema):
    """A team that may take an order, ranked (app/dispatch/ranking.py): a detail's dispatch_teams."""

    team_id = fields.Integer()
    name = fields.String()
    area_id = fields.Integer()
    score = fields.Float()
    reasons = fields.List(fields.String())


class PossibleDuplicatesArgs(Schema):
    category = Text(32, required=True)
    on_behalf_phone = Text(20, validate=PHONE, metadata={"description": "filing for a resident: their phone"})


class OpenOrderSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    status = fields.String()
    created_at = fields.DateTime()


class OpenOrderListSchema(Schema):
    items = fields.List(fields.Nested(OpenOrderSchema))


class DuplicatesArgs(Schema):
    ids = fields.DelimitedList(Id(), required=True, validate=validate.Length(min=1, max=50))


class DuplicateMarkSchema(Schema):
    order_id = fields.Integer()
    duplicates = fields.List(fields.Integer())


class DuplicateMarksSchema(Schema):
    items = fields.List(fields.Nested(DuplicateMarkSchema))
