"""/me, /users and /role-grants."""
from flask_smorest import Blueprint

from app.auth import current_viewer
from app.schema import EmptySchema, decode_cursor, keyset_page
from app.users import service
from app.users.schemas import (MeSchema, PhoneCodeSchema, ProfileUpdateSchema, RoleGrantCreateSchema,
                               RoleGrantSchema, UserListArgs, UserPageSchema)

blp = Blueprint("users", __name__, description="个人资料、用户与角色授权")


@blp.route("/me", methods=["GET"])
@blp.response(200, MeSchema)
def get_me():
    """My profile, roles, teams and points balance."""
    return service.profile(current_viewer())


@blp.route("/me", methods=["PATCH"])
@blp.arguments(ProfileUpdateSchema)
@blp.response(200, MeSchema)
def update_me(changes):
    """Change my own profile (nickname, real name, home community, 双报到 fields)."""
    viewer = current_viewer()
    service.update_profile(viewer, changes)
    return service.profile(viewer)


@blp.route("/me/phone", methods=["POST"])
@blp.arguments(PhoneCodeSchema)
@blp.response(200, MeSchema)
def bind_phone(body):
    """Bind my phone number from a getPhoneNumber code."""
    viewer = current_viewer()
    service.bind_phone(viewer, body["code"])
    return service.profile(viewer)


@blp.route("/users", methods=["GET"])
@blp.arguments(UserListArgs, location="query")
@blp.response(200, UserPageSchema)
def list_users(args):
    """Users in my areas (staff, admins): q is the beginning of a name or a whole phone number."""
    cursor = decode_cursor(args.get("cursor"))
    rows = service.users_in_scope(current_viewer(), args.get("q"), args["limit"], cursor and cursor["id"])
    return keyset_page(rows, args["limit"])


@blp.route("/role-grants", methods=["POST"])
@blp.arguments(RoleGrantCreateSchema)
@blp.response(201, RoleGrantSchema)
def create_role_grant(body):
    """Grant a role on an area (admins; staff may grant grid_worker in their area)."""
    return service.grant_role(current_viewer(), body["user_id"], body["role"], body["area_id"])


@blp.route("/role-grants/<int:grant_id>", methods=["DELETE"])
@blp.response(204)
def delete_role_grant(grant_id):
    """Take a role grant back."""
    service.revoke_role(current_viewer(), grant_id)
    return None
