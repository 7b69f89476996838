"""/teams: volunteer teams (志愿服务队)."""
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validates_schema

from app.auth import current_viewer, optional_viewer
from app.schema import EmptySchema, Id, ListArgs, Text, decode_cursor, keyset_page, page_schema
from app.teams import service

blp = Blueprint("teams", __name__, description="志愿服务队")


class CategoryRefSchema(Schema):
    code = fields.String()
    name = fields.String()


class MemberSchema(Schema):
    user_id = fields.Integer()
    nickname = fields.String()
    role = fields.String()
    joined_at = fields.DateTime()


class TeamSchema(Schema):
    id = fields.Integer()
    area_id = fields.Integer()
    name = fields.String()
    description = fields.String()
    is_active = fields.Boolean()
    leader_id = fields.Integer(allow_none=True)
    categories = fields.List(fields.Nested(CategoryRefSchema))
    member_count = fields.Integer()
    my_role = fields.String(allow_none=True)
    invite_code = fields.String(metadata={"description": "shown to staff of the area and the leader"})
    members = fields.List(fields.Nested(MemberSchema))


class TeamArgs(ListArgs):
    area_id = Id()
    include_inactive = fields.Boolean(load_default=False)
    for_area_id = Id(metadata={"description": "with `category`: only the teams that may take an order of this area "
                                              "and category (DESIGN §4; a care plan's team picker); `area_id` and "
                                              "`include_inactive` do not apply"})
    category = Text(32, metadata={"description": "a category code, with `for_area_id`"})

    @validates_schema
    def _both_or_neither(self, data, **_):
        if ("for_area_id" in data) != ("category" in data):
            missing = "category" if "for_area_id" in data else "for_area_id"
            raise ValidationError({missing: ["请同时给出区域和服务类别"]})


class TeamCreateSchema(Schema):
    name = Text(64, required=True, min_length=1)
    area_id = Id(required=True)
    description = Text(500)
    category_codes = fields.List(Text(32), load_default=list)
    leader_id = Id(allow_none=True)


class TeamUpdateSchema(Schema):
    name = Text(64, min_length=1)
    description = Text(500)
    category_codes = fields.List(Text(32))
    leader_id = Id()
    is_active = fields.Boolean()


class JoinSchema(Schema):
    invite_code = Text(16, required=True, min_length=1)


class AddMemberSchema(Schema):
    user_id = Id(required=True)


@blp.route("/teams", methods=["GET"])
@blp.arguments(TeamArgs, location="query")
@blp.response(200, page_schema(TeamSchema, "TeamPage"))
@blp.doc(security=[])
def list_teams(args):
    """Active teams, optionally of an area's subtree; or those that may take an order of an area and category."""
    viewer = optional_viewer()
    cursor = decode_cursor(args.get("cursor"))
    cursor_id = cursor and cursor["id"]
    if "for_area_id" in args:
        rows = service.list_eligible_teams(args["for_area_id"], args["category"], args["limit"], cursor_id)
    else:
        rows = service.list_teams(args.get("area_id"), args["limit"], cursor_id, args["include_inactive"])
    page = keyset_page(rows, args["limit"])
    counts = service.member_counts([team.id for team in page["items"]])
    page["items"] = [service.present_team(t, viewer, counts.get(t.id, 0)) for t in page["items"]]
    return page


@blp.route("/teams", methods=["POST"])
@blp.arguments(TeamCreateSchema)
@blp.response(201, TeamSchema)
def create_team(body):
    """Found a team in my area (staff)."""
    viewer = current_viewer()
    return service.present_team(service.create_team(viewer, body), viewer, detail=True)


@blp.route("/teams/<int:team_id>", methods=["GET"])
@blp.response(200, TeamSchema)
@blp.doc(security=[])
def get_team(team_id):
    """A team; members and invite code for those who may see them."""
    return service.present_team(service.get_team(team_id), optional_viewer(), detail=True)


@blp.route("/teams/<int:team_id>", methods=["PATCH"])
@blp.arguments(TeamUpdateSchema)
@blp.response(200, TeamSchema)
def update_team(body, team_id):
    """Change a team (staff; the leader: description and categories)."""
    viewer = current_viewer()
    team = service.update_team(viewer, service.get_team(team_id), body)
    return service.present_team(team, viewer, detail=True)


@blp.route("/teams/join", methods=["POST"])
@blp.arguments(JoinSchema)
@blp.response(200, TeamSchema)
def join_team(body):
    """Join a team with its invite code."""
    viewer = current_viewer()
    team = service.join_by_code(viewer, body["invite_code"])
    viewer.forget_teams()
    return service.present_team(team, viewer, detail=True)


@blp.route("/teams/<int:team_id>/invite-code", methods=["POST"])
@blp.arguments(EmptySchema)
@blp.response(200, TeamSchema)
def rotate_invite_code(_body, team_id):
    """Replace the team's invite code (staff of its area, the leader); the old code stops working."""
    viewer = current_viewer()
    team = service.rotate_invite_code(viewer, service.get_team(team_id))
    return service.present_team(team, viewer, detail=True)


@blp.route("/teams/<int:team_id>/members", methods=["POST"])
@blp.arguments(AddMemberSchema)
@blp.response(201, TeamSchema)
def add_member(body, team_id):
    """Add a member (staff, the leader)."""
    viewer = current_viewer()
    team = service.add_member(viewer, service.get_team(team_id), body["user_id"])
    return service.present_team(team, viewer, detail=True)


@blp.route("/teams/<int:team_id>/members/<int:user_id>", methods=["DELETE"])
@blp.response(204)
def remove_member(team_id, user_id):
    """Remove a member (staff, the leader) or leave the team (the member)."""
    service.remove_member(current_viewer(), service.get_team(team_id), user_id)
    return None
