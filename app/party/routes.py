"""/party: 双报到 — the register of in-service Party members and their units, exports and figures."""
import base64
import binascii
import json

from flask_smorest import Blueprint

from app.auth import current_viewer
from app.errors import ValidationFailed
from app.party import export, service
from app.privacy import access_log
from app.replica import replica_reads
from app.schema import ListArgs, Schema, Text, decode_cursor, encode_cursor, fields, keyset_page, page_schema, validate

blp = Blueprint("party", __name__, description="党员双报到：报到党员名册、驻区单位与统计")


class PartyAreaArgs(Schema):
    area_id = fields.Integer(metadata={"description": "an area in my scope; default: all my areas"})


class PartyMemberListArgs(ListArgs, PartyAreaArgs):
    q = Text(32, metadata={"description": "part of the name, nickname or work unit"})


class PartyUnitListArgs(ListArgs, PartyAreaArgs):
    pass


class PartyExportArgs(PartyAreaArgs):
    q = Text(32)
    format = fields.String(load_default="xlsx", validate=validate.OneOf(["xlsx", "csv"]))


class PartySummaryArgs(PartyAreaArgs):
    from_ = fields.String(data_key="from", metadata={"description": "YYYY-MM-DD (Asia/Shanghai) or ISO 8601"})
    to = fields.String(metadata={"description": "exclusive; YYYY-MM-DD or ISO 8601"})


class PartyMemberSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    real_name = fields.String()
    nickname = fields.String()
    phone = fields.String(allow_none=True)
    home_area_id = fields.Integer()
    home_area_name = fields.String()
    work_unit = fields.String()
    services = fields.Integer(metadata={"description": "orders completed as assignee"})
    call_checkins = fields.Integer(metadata={"description": "call and activity check-ins confirmed by staff"})


class PartyServiceSchema(Schema):
    order_id = fields.Integer()
    title = fields.String()
    status = fields.String()
    status_label = fields.String()
    completed_at = fields.DateTime()
    area_name = fields.String()


class PartyCallSchema(Schema):
    call_id = fields.Integer()
    kind = fields.String()
    kind_label = fields.String()
    title = fields.String()
    starts_at = fields.DateTime()
    place = fields.String()
    status = fields.String()
    status_label = fields.String()
    confirmed_at = fields.DateTime(allow_none=True)


class PartyMemberDetailSchema(PartyMemberSchema):
    recent_services = fields.List(fields.Nested(PartyServiceSchema),
                                  metadata={"description": f"the latest {service.RECENT}, in my areas"})
    recent_calls = fields.List(fields.Nested(PartyCallSchema),
                               metadata={"description": f"the latest {service.RECENT} sign-ups (not withdrawn)"})


class PartyUnitSchema(Schema):
    work_unit = fields.String()
    members = fields.Integer()
    services = fields.Integer()
    call_checkins = fields.Integer()


class PartyFiguresSchema(Schema):
    area_id = fields.Integer(allow_none=True)
    start = fields.DateTime(data_key="from")
    end = fields.DateTime(data_key="to")
    party_members = fields.Integer(metadata={"description": "registered now"})
    party_units = fields.Integer(metadata={"description": "distinct work units of those registered now"})
    party_services = fields.Integer(metadata={"description": "orders they completed in the period"})
    party_call_checkins = fields.Integer(metadata={"description": "their check-ins confirmed in the period"})


@blp.route("/party/members", methods=["GET"])
@replica_reads
@blp.arguments(PartyMemberListArgs, location="query")
@blp.response(200, page_schema(PartyMemberSchema, "PartyMemberPage"))
def list_members(args):
    """Party members registered (双报到) in my areas, newest first, with their services and check-ins (staff)."""
    viewer = current_viewer()
    paths = service.scope_paths(viewer, args.get("area_id"))
    cursor = decode_cursor(args.get("cursor"))
    rows = service.list_members(paths, args.get("q"), args["limit"], cursor and cursor["id"])
    page = keyset_page(rows, args["limit"], key=lambda row: {"id": row[0].id})
    page["items"] = [service.present_member(row) for row in page["items"]]
    access_log.users_seen(viewer, "party_members", [(m["id"], m["home_area_id"]) for m in page["items"] if m["phone"]])
    return page


@blp.route("/party/members/<int:user_id>", methods=["GET"])
@replica_reads
@blp.response(200, PartyMemberDetailSchema)
def member_detail(user_id):
    """A registered Party member of my areas with their latest services and call sign-ups (staff)."""
    viewer = current_viewer()
    member = service.member_detail(service.scope_paths(viewer, None), user_id)
    if member["phone"]:
        access_log.users_seen(viewer, "party_member", [(member["id"], member["home_area_id"])])
    return member


@blp.route("/party/members/export", methods=["GET"])
@replica_reads
@blp.arguments(PartyExportArgs, location="query")
@blp.response(200, description="the register as a file (xlsx or csv with a UTF-8 BOM)")
def export_members(args):
    """Download the Party member register of my areas (staff)."""
    viewer = current_viewer()
    paths = service.scope_paths(viewer, args.get("area_id"))
    access_log.select_seen(viewer, "party_export", access_log.party_export_subjects(paths, args.get("q")))
    make = export.csv_response if args["format"] == "csv" else export.xlsx_response
    return make(paths, args.get("q"))


def _unit_cursor(cursor: str | None) -> str | None:
    """Units are ordered by name: the cursor carries the last name."""
    if not cursor:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(values, dict) or not isinstance(values.get("unit"), str):
            raise ValueError
        return values["unit"]
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ValidationFailed({"cursor": ["分页游标无效"]}) from None


@blp.route("/party/units", methods=["GET"])
@replica_reads
@blp.arguments(PartyUnitListArgs, location="query")
@blp.response(200, page_schema(PartyUnitSchema, "PartyUnitPage"))
def list_units(args):
    """Work units (驻区单位) of the registered Party members, by name, with members, services and check-ins."""
    paths = service.scope_paths(current_viewer(), args.get("area_id"))
    rows = service.list_units(paths, args["limit"], _unit_cursor(args.get("cursor")))
    items = rows[:args["limit"]]
    more = len(rows) > args["limit"] and items
    return {"items": items, "next_cursor": encode_cursor({"unit": items[-1]["work_unit"]}) if more else None}


@blp.route("/party/summary", methods=["GET"])
@replica_reads
@blp.arguments(PartySummaryArgs, location="query")
@blp.response(200, PartyFiguresSchema)
def summary(args):
    """双报到 figures of an area and period (default: the current month); /stats/summary carries them too."""
    from app.stats.service import parse_period

    paths = service.scope_paths(current_viewer(), args.get("area_id"))
    period = parse_period(args.get("from_"), args.get("to"))
    figures = service.party_figures(paths, period.start, period.end)
    return {"area_id": args.get("area_id"), "start": period.start, "end": period.end, **figures}
