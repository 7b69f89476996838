"""Exports of a period's orders: xlsx (openpyxl, write-only) and csv (UTF-8 with BOM), streamed.

Rows come from one SELECT read in batches (yield_per: a server-side cursor on PostgreSQL), so
memory stays flat however many orders the period holds. The csv body is streamed as it is read;
the xlsx workbook is written row by row to a temporary file, which is then sent and removed.
"""
import csv
import io
import os
import tempfile
from datetime import datetime, timedelta
from urllib.parse import quote

from flask import Response, send_file, stream_with_context
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import aliased

from app import clock
from app.areas.models import Area
from app.categories.models import Category
from app.extensions import db
from app.orders.models import DONE_STATUSES, OPEN_STATUSES, STATUS_LABELS, Order, Rating
from app.spreadsheet import safe_cell, safe_row
from app.stats import service
from app.stats.service import TZ, Period, Scope
from app.teams.models import Team
from app.users.models import User

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BATCH = 1000

ORDER_COLUMNS = ["工单编号", "下单时间", "所属区域", "服务类别", "标题", "需求描述", "状态", "服务队", "接单志愿者",
                 "联系人", "联系电话", "服务地址", "办理期限", "派单时间", "接单时间", "完成时间", "是否按时办结",
                 "是否超期未办", "评价星级", "评价内容", "回访记录"]
ORDER_WIDTHS = [10, 17, 12, 10, 18, 30, 8, 22, 12, 10, 14, 24, 17, 17, 17, 17, 8, 8, 8, 24, 24]

FIGURE_ROWS = [  # (label, name, kind)
    ("受理量（件）", "received", "count"), ("取消（件）", "cancelled", "count"), ("有效工单（件）", "valid", "count"),
    ("办结量（件）", "completed", "count"), ("办结率", "completion_rate", "rate"),
    ("按时办结（件）", "on_time_completed", "count"), ("按时办结率", "on_time_rate", "rate"),
    ("响应时长中位数（分钟）", "response_minutes", "number"), ("评价数（件）", "rated", "count"),
    ("满意评价（件）", "satisfied", "count"), ("满意率", "satisfaction_rate", "rate"),
    ("平均星级", "avg_stars", "number"), ("超期未办（件）", "overdue_open", "count"),
    ("服务人次", "volunteer_services", "count"), ("发放积分", "points_awarded", "count"),
    ("积分超市兑换积分", "points_redeemed", "count"),
    ("双报到党员（名）", "party_members", "count"), ("驻区单位（个）", "party_units", "count"),
    ("党员服务（件）", "party_services", "count"), ("党员参与吹哨、活动（人次）", "party_call_checkins", "count"),
]
BREAKDOWN_COLUMNS = [("受理量", "received", "count"), ("办结量", "completed", "count"),
                     ("办结率", "completion_rate", "rate"), ("按时办结率", "on_time_rate", "rate"),
                     ("满意率", "satisfaction_rate", "rate"), ("服务人次", "volunteer_services", "count"),
                     ("积分", "points_awarded", "count")]


def _order_rows(scope: Scope, period: Period):
    """The period's orders as tuples in ORDER_COLUMNS order, read in batches."""
    assignee = aliased(User)
    query = (select(Order.id, Order.created_at, Area.name, Category.name, Order.title, Order.description,
                    Order.status, Team.name, assignee.real_name, assignee.nickname, Order.contact_name,
                    Order.contact_phone, Order.address, Order.due_at, Order.dispatched_at, Order.accepted_at,
                    Order.completed_at, Rating.stars, Rating.comment, Rating.review_note)
             .select_from(Order).join(Area, Area.id == Order.area_id)
             .join(Category, Category.id == Order.category_id)
             .outerjoin(Team, Team.id == Order.team_id)
             .outerjoin(assignee, assignee.id == Order.assignee_id)
             .outerjoin(Rating, Rating.order_id == Order.id)
             .where(scope.contains(Area.path), Order.created_at >= period.start, Order.created_at < period.end)
             .order_by(Order.id)
             .execution_options(yield_per=BATCH))
    now = clock.now()
    for (order_id, created, area, category, title, description, status, team, real_name, nickname, contact,
         phone, address, due, dispatched, accepted, completed, stars, comment, review) in db.session.execute(query):
        done = status in DONE_STATUSES
        yield safe_row((
            order_id, _local(created), area, category, title, description, STATUS_LABELS.get(status, status),
            team or "", real_name or nickname or "", contact, phone, address, _local(due), _local(dispatched),
            _local(accepted), _local(completed), ("是" if completed and completed <= due else "否") if done else "",
            "是" if status in OPEN_STATUSES and due <= now else "", stars if stars is not None else "",
            comment or "", review or ""))


def _local(moment: datetime | None) -> datetime | None:
    """Shanghai wall-clock time without an offset: what Excel shows."""
    return moment.astimezone(TZ).replace(tzinfo=None, microsecond=0) if moment else None


def _filename(scope: Scope, period: Period, extension: str) -> str:
    first = period.local_start.date()
    last = (period.local_end - timedelta(microseconds=1)).date()
    return f"社区五单_{scope.name}_{first:%Y%m%d}-{last:%Y%m%d}.{extension}"


def _disposition(filename: str) -> str:
    ascii_name = "export" + filename[filename.rfind("."):]
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


# --- csv ----------------------------------------------------------------------------------------

def csv_response(scope: Scope, period: Period) -> Response:
    """The orders as csv, UTF-8 with a BOM so Excel reads the Chinese; streamed as rows are read."""

    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")
        writer.writerow(ORDER_COLUMNS)
        for count, row in enumerate(_order_rows(scope, period), 1):
            writer.writerow([value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else value
                             for value in row])
            if count % BATCH == 0:
                yield buffer.getvalue().encode("utf-8")
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue().encode("utf-8")

    response = Response(stream_with_context(generate()), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = _disposition(_filename(scope, period, "csv"))
    response.headers["Cache-Control"] = "no-store"
    return response


# --- xlsx ---------------------------------------------------------------------------------------

def xlsx_response(scope: Scope, period: Period):
    """A workbook with a sheet of orders and a sheet of figures, built on disk, then sent."""
    handle, path = tempfile.mkstemp(prefix="sqwd-export-", suffix=".xlsx")
    os.close(handle)
    try:
        write_workbook(path, scope, period)
        stream = open(path, "rb")  # noqa: SIM115  (send_file closes it after sending)
    finally:
        os.unlink(path)  # the open handle keeps the data until the response is closed
    response = send_file(stream, mimetype=XLSX_MIMETYPE, as_attachment=True,
                         download_name=_filename(scope, period, "xlsx"), max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response


def write_workbook(path: str, scope: Scope, period: Period) -> None:
    workbook = Workbook(write_only=True)
    orders = workbook.create_sheet("工单明细")
    for index, width in enumerate(ORDER_WIDTHS):
        orders.column_dimensions[get_column_letter(index + 1)].width = width
    orders.freeze_panes = "A2"
    bold = Font(bold=True)
    orders.append([_cell(orders, title, font=bold) for title in ORDER_COLUMNS])
    for row in _order_rows(scope, period):
        orders.append([_cell(orders, value, number_format="yyyy-mm-dd hh:mm") if isinstance(value, datetime)
                       else value for value in row])
    _write_figures(workbook.create_sheet("统计指标"), scope, period, bold)
    workbook.save(path)


def _write_figures(sheet, scope: Scope, period: Period, bold: Font) -> None:
    sheet.column_dimensions["A"].width = 26
    for letter in "BCDEFGH":
        sheet.column_dimensions[letter].width = 12
    summary = service.summary(scope, period)
    sheet.append([_cell(sheet, "统计范围", font=bold), safe_cell(scope.name)])
    sheet.append([_cell(sheet, "统计期间", font=bold), period.label()])
    sheet.append([])
    sheet.append([_cell(sheet, "指标", font=bold), _cell(sheet, "数值", font=bold)])
    for label, name, kind in FIGURE_ROWS:
        sheet.append([label, _figure_cell(sheet, summary[name], kind)])
    for title, by in (("按服务类别", "category"), ("按服务队", "team"), ("按区域", "area")):
        sheet.append([])
        sheet.append([_cell(sheet, title, font=bold), *(_cell(sheet, c[0], font=bold) for c in BREAKDOWN_COLUMNS)])
        for item in service.breakdown(scope, period, by)["items"]:
            cells = [_figure_cell(sheet, item[name], kind) for _, name, kind in BREAKDOWN_COLUMNS]
            sheet.append([safe_cell(item["label"]), *cells])


def _figure_cell(sheet, value, kind: str):
    if value is None:
        return "—"
    if kind == "rate":
        return _cell(sheet, value, number_format="0.0%")
    if kind == "number":
        return _cell(sheet, value, number_format="0.0")
    return value


def _cell(sheet, value, font: Font | None = None, number_format: str | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if font is not None:
        cell.font = font
    if number_format is not None:
        cell.number_format = number_format
    return cell

