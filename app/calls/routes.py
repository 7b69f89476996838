"""/calls: 吹哨 (urgent calls for volunteers) and 志愿活动 (planned activities), sign-ups and check-ins."""
from flask_smorest import Blueprint

from app.auth import current_viewer
from app.calls import notify, schemas, service  # noqa: F401  (notify: the outbox receiver)
from app.schema import EmptySchema, decode_cursor, keyset_page

blp = Blueprint("calls", __name__, description="社区吹哨与志愿活动：报名、签到、确认与积分")


@blp.route("/calls", methods=["GET"])
@blp.arguments(schemas.CallListArgs, location="query")
@blp.response(200, schemas.CallPageSchema)
def list_calls(args):
    """Calls and activities I may see, newest first: my areas', those blown for me, my staff areas'."""
    viewer = current_viewer()
    cursor = decode_cursor(args.get("cursor"))
    page = keyset_page(service.list_calls(viewer, args, cursor and cursor["id"]), args["limit"])
    page["items"] = service.present_calls(viewer, page["items"])
    return page


@blp.route("/calls", methods=["POST"])
@blp.arguments(schemas.CallCreateSchema)
@blp.response(201, schemas.CallSchema)
def create_call(body):
    """Blow a call (吹哨) or post an activity in my area (staff); the people called are notified."""
    viewer = current_viewer()
    call, _called = service.create_call(viewer, body)
    return service.call_detail(viewer, call)


@blp.route("/calls/<int:call_id>", methods=["GET"])
@blp.response(200, schemas.CallSchema)
def get_call(call_id):
    """One call with my sign-up and the actions I may take; staff also see who signed up."""
    viewer = current_viewer()
    return service.call_detail(viewer, service.get_call(viewer, call_id))


def _call_action(action: str, status: int, summary: str):
    run = {"signup": service.sign_up, "withdraw": service.withdraw, "checkin": service.check_in,
           "close": service.close_call}[action]

    def view(_body, call_id):
        viewer = current_viewer()
        call = service.get_call(viewer, call_id)
        run(viewer, call)
        return service.call_detail(viewer, call)

    view.__name__ = f"call_{action}"
    view.__doc__ = summary
    blp.route(f"/calls/<int:call_id>/{action}", methods=["POST"])(
        blp.arguments(EmptySchema)(blp.response(status, schemas.CallSchema)(view)))


_call_action("signup", 201, "Sign up for a place; 409 名额已满 when the quota is reached.")
_call_action("withdraw", 200, "Give my place back (before checking in).")
_call_action("checkin", 200, "Check in at the place (from 2 hours before the start); staff confirm it.")
_call_action("close", 200, "End the call (staff): no more sign-ups or check-ins.")


@blp.route("/calls/<int:call_id>/signups", methods=["GET"])
@blp.arguments(schemas.CallSignupListArgs, location="query")
@blp.response(200, schemas.CallSignupPageSchema)
def list_signups(args, call_id):
    """Who signed up, in the order they came (staff of the call's area)."""
    viewer = current_viewer()
    call = service.get_call(viewer, call_id)
    cursor = decode_cursor(args.get("cursor"))
    page = keyset_page(service.list_signups(viewer, call, args, cursor and cursor["id"]), args["limit"])
    page["items"] = [service.present_signup(s, True) for s in page["items"]]
    return page


@blp.route("/calls/<int:call_id>/signups/<int:user_id>/confirm", methods=["POST"])
@blp.arguments(schemas.CallConfirmSchema)
@blp.response(200, schemas.CallSignupSchema)
def confirm_checkin(body, call_id, user_id):
    """Confirm that a volunteer came (staff); earns the call's points and service minutes once."""
    viewer = current_viewer()
    call = service.get_call(viewer, call_id)
    return service.present_signup(service.confirm_checkin(viewer, call, user_id, body.get("minutes")), True)
