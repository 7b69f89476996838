
from app.schema import Id, ListArgs, Schema, Text, fields, page_schema, validate
from app.users.models import ROLES
from app.users.service import mask_phone


class RoleSchema(Schema):
    role = fields.String()
    area_id = fields.Integer()
    area_name = fields.String()


class TeamRoleSchema(Schema):
    team_id = fields.Integer()
    role = fields.String()


class MeSchema(Schema):
    id = fields.Integer()
    nickname = fields.String()
    avatar_url = fields.String()
    phone = fields.String(allow_none=True, metadata={"description": "masked, 138****1234"})
    real_name = fields.String()
    home_area_id = fields.Integer(allow_none=True)
    is_party_member = fields.Boolean()
    work_unit = fields.String()
    roles = fields.List(fields.Nested(RoleSchema))
    teams = fields.List(fields.Nested(TeamRoleSchema))
    points = fields.Integer()


class ProfileUpdateSchema(Schema):
    """The fields a user may change on their own profile; anything else is refused."""

    nickname = Text(32, min_length=1)
    avatar_url = Text(512)
    real_name = Text(32)
    home_area_id = Id(allow_none=True)
    is_party_member = fields.Boolean()
    work_unit = Text(100)


class PhoneCodeSchema(Schema):
    code = Text(256, required=True, min_length=1)


class UserSchema(Schema):
    id = fields.Integer()
    nickname = fields.String()
    real_name = fields.String()
    phone = fields.Function(lambda user: mask_phone(user.phone))
    home_area_id = fields.Integer(allow_none=True)
    is_party_member = fields.Boolean()
    work_unit = fields.String()


class UserListArgs(ListArgs):
    q = Text(32)


UserPageSchema = page_schema(UserSchema, "UserPage")


class RoleGrantCreateSchema(Schema):
    user_id = Id(required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    area_id = Id(required=True)


class RoleGrantSchema(Schema):
    id = fields.Integer()
    user_id = fields.Integer()
    role = fields.String()
    area_id = fields.Integer()
    created_at = fields.DateTime()
