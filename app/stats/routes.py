"""/stats: figures, breakdowns, the monthly report and exports (staff and administrators)."""
from flask_smorest import Blueprint

from app.auth import current_viewer
from app.privacy import access_log
from app.replica import replica_reads
from app.schema import Id, Schema, fields, validate
from app.stats import export, report, service

blp = Blueprint("stats", __name__, description="统计：数据看板、月报与导出")

PERIOD_HELP = "YYYY-MM-DD (Asia/Shanghai) or an ISO datetime; `to` is exclusive; default: the current month"


class PeriodArgs(Schema):
    area_id = Id(metadata={"description": "an area in my scope (default: my whole scope)"})
    from_ = fields.String(data_key="from", metadata={"description": PERIOD_HELP})
    to = fields.String(metadata={"description": PERIOD_HELP})


class BreakdownArgs(PeriodArgs):
    by = fields.String(required=True, validate=validate.OneOf(service.BREAKDOWNS))


class ExportArgs(PeriodArgs):
    format = fields.String(load_default="xlsx", validate=validate.OneOf(["xlsx", "csv"]))


class ReportArgs(Schema):
    month = fields.String(metadata={"description": "YYYY-MM, an Asia/Shanghai month (default: this month)"})
    area_id = Id()


class FiguresSchema(Schema):
    received = fields.Integer(metadata={"description": "受理量: orders created in the period"})
    cancelled = fields.Integer()
    valid = fields.Integer(metadata={"description": "received − cancelled"})
    completed = fields.Integer(metadata={"description": "办结量: valid orders completed, rated or closed"})
    completion_rate = fields.Float(allow_none=True, metadata={"description": "办结率 = completed / valid"})
    on_time_completed = fields.Integer()
    on_time_rate = fields.Float(allow_none=True, metadata={"description": "按时办结率"})
    response_minutes = fields.Float(allow_none=True, metadata={"description": "median minutes to acceptance"})
    rated = fields.Integer()
    satisfied = fields.Integer(metadata={"description": "ratings with 4 or 5 stars"})
    satisfaction_rate = fields.Float(allow_none=True, metadata={"description": "满意率"})
    avg_stars = fields.Float(allow_none=True)
    overdue_open = fields.Integer(metadata={"description": "open orders past due_at, as of now"})
    volunteer_services = fields.Integer(metadata={"description": "服务人次"})
    points_awarded = fields.Integer()


class SummarySchema(FiguresSchema):
    area_id = fields.Integer(allow_none=True)
    area_name = fields.String()
    from_ = fields.DateTime(data_key="from", attribute="from")
    to = fields.DateTime()
    points_redeemed = fields.Integer(metadata={"description": "积分超市: points redeemed in the period, less those "
                                                              "given back by cancellations"})
    party_members = fields.Integer(metadata={"description": "双报到: Party members registered in the area (now)"})
    party_units = fields.Integer(metadata={"description": "distinct work units of those members (now)"})
    party_services = fields.Integer(metadata={"description": "orders those members completed in the period"})
    party_call_checkins = fields.Integer(metadata={"description": "their call and activity check-ins "
                                                                  "confirmed in the period"})


class BreakdownItemSchema(FiguresSchema):
    key = fields.Raw(metadata={"description": "category code, team id (null: not dispatched), area id or day"})
    label = fields.String()


class BreakdownSchema(Schema):
    area_id = fields.Integer(allow_none=True)
    area_name = fields.String()
    from_ = fields.DateTime(data_key="from", attribute="from")
    to = fields.DateTime()
    by = fields.String()
    items = fields.List(fields.Nested(BreakdownItemSchema))


class ReportSchema(Schema):
    text = fields.String()
    figures = fields.Dict()


def _scope_and_period(args):
    viewer = current_viewer()
    scope = service.resolve_scope(viewer, args.get("area_id"))
    return scope, service.parse_period(args.get("from_"), args.get("to"))


@blp.route("/stats/summary", methods=["GET"])
@replica_reads
@blp.arguments(PeriodArgs, location="query")
@blp.response(200, SummarySchema)
def stats_summary(args):
    """The figures (统计口径) of an area subtree for a period."""
    return service.summary(*_scope_and_period(args))


@blp.route("/stats/breakdown", methods=["GET"])
@replica_reads
@blp.arguments(BreakdownArgs, location="query")
@blp.response(200, BreakdownSchema)
def stats_breakdown(args):
    """The same figures per category, team, child area or day."""
    return service.breakdown(*_scope_and_period(args), args["by"])


@blp.route("/stats/report", methods=["GET"])
@replica_reads
@blp.arguments(ReportArgs, location="query")
@blp.response(200, ReportSchema)
def stats_report(args):
    """The monthly report: a few Chinese sentences with the month's figures."""
    scope = service.resolve_scope(current_viewer(), args.get("area_id"))
    return report.monthly_report(scope, service.parse_month(args.get("month")))


@blp.route("/stats/export", methods=["GET"])
@replica_reads
@blp.arguments(ExportArgs, location="query")
@blp.doc(responses={"200": {"description": "the orders (and figures) as a file", "content": {
    export.XLSX_MIMETYPE: {"schema": {"type": "string", "format": "binary"}},
    "text/csv": {"schema": {"type": "string", "format": "binary"}}}}})
def stats_export(args):
    """Download the period's orders: xlsx (orders and figures) or csv (UTF-8 with BOM)."""
    scope, period = _scope_and_period(args)
    access_log.select_seen(current_viewer(), "stats_export", access_log.order_export_subjects(scope, period))
    if args["format"] == "csv":
        return export.csv_response(scope, period)
    return export.xlsx_response(scope, period)
