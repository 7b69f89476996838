"""An order as a viewer may see it: the one presenter of every order response.

It reads rows of app/orders/queries.py (a list's page, one order's timeline) and returns the response body in
JSON types, sent as it is (app/orders/routes.py); tests check that OrderSchema's dump of it equals it.
Who sees what (parts, full or masked, staff's notes) comes from the viewer's scope (app/orders/scope.py).
"""
from app import clock
from app.auth.viewer import Viewer
from app.orders import transitions as t
from app.orders.models import OPEN, Rating
from app.orders.scope import STAFF_NOTE_ACTIONS, Scope
from app.users.service import mask_phone

TIMES = ("created_at", "due_at", "dispatched_at", "accepted_at", "started_at", "completed_at", "rated_at",
         "closed_at", "cancelled_at")
RATING_FIELDS = tuple(column.name for column in Rating.__table__.c)


def iso(value):
    return None if value is None else value.isoformat()


class Presenter:
    """Presents orders to one viewer, by their scope (app/orders/scope.py)."""

    def __init__(self, viewer: Viewer):
        self.scope = Scope.of(viewer)
        self.now = clock.now()

    def present(self, r) -> dict:
        """One order (a row's mapping), as the list shows it."""
        scope = self.scope
        parties = scope.parties(r["requester_id"], r["team_id"], r["assignee_id"], r["area_path"])
        full, staff_notes = scope.full_view(parties, r), scope.sees_staff_notes(parties)
        status = str(r["status"])
        if full:
            address, phone = r["address"], r["contact_phone"]
        else:
            parent = r["parent_name"] if r["area_kind"] == "grid" else None
            address, phone = parent if parent is not None else r["area_name"], mask_phone(r["contact_phone"])
        behalf = r["on_behalf_name"]
        data = dict(
            id=r["id"], status=status, category=r["category_code"], category_name=r["category_name"],
            title=r["title"], description=r["description"], address=address, contact_name=r["contact_name"],
            contact_phone=phone, preferred_time=r["preferred_time"], photos=r["photos"], area_id=r["area_id"],
            area_name=r["area_name"], offering_id=r["offering_id"], team_id=r["team_id"],
            assignee_id=r["assignee_id"], requester_id=r["requester_id"],
            on_behalf_of=({"name": behalf, "phone": r["on_behalf_phone"] if full else
                           mask_phone(r["on_behalf_phone"])} if behalf else None),
            result=r["result"], result_photos=r["result_photos"], cancel_reason=r["cancel_reason"],
            needs_review=bool(r["needs_review"]) if staff_notes else False, version=r["version"],
            overdue=status in OPEN and r["due_at"] <= self.now, allowed_actions=list(t.allowed_actions(parties, status)),
        )
        for name in TIMES:
            data[name] = iso(r[name])
        return data

    def present_detail(self, rows: list) -> dict:
        """One order from queries.detail_statement's rows: with team name, events and rating."""
        first = rows[0]
        data = self.present(first)
        staff_notes = self.scope.sees_staff_notes(self.scope.parties(
            first["requester_id"], first["team_id"], first["assignee_id"], first["area_path"]))
        data["team_name"] = first["team_name"]
        data["events"] = [{
            "id": r["event_id"], "action": r["event_action"], "from_status": r["event_from_status"],
            "to_status": r["event_to_status"], "actor_id": r["event_actor_id"],
            "note": r["event_note"] if staff_notes or r["event_action"] not in STAFF_NOTE_ACTIONS else "",
            "actor_name": (r["actor_real_name"] or r["actor_nickname"] or f"用户{r['event_actor_id']}")
            if r["event_actor_id"] is not None else "系统",
            "created_at": iso(r["event_created_at"]),
        } for r in rows if r["event_id"] is not None]
        rating = {name: first[f"rating_{name}"] for name in RATING_FIELDS}
        if not staff_notes:  # staff's follow-up of a rating (回访) is for staff of the area only
            rating.update(review_note="", reviewed_by_id=None)
        data["rating"] = None if first["rating_id"] is None else {
            name: iso(value) if name.endswith("_at") else value for name, value in rating.items()}
        return data
