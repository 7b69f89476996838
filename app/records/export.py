"""The hours export of an area (志愿服务时长导出): one row a volunteer, in the shape the national volunteer
system (全国志愿服务信息系统) takes its hours in — name, service dates, content, hours — as xlsx or csv.

The services that still stand (a reopened order's credits net to nothing) are summed per volunteer and
service in SQL, over the credits of the area's subtree in the period; the rows are then folded into one a
volunteer as they stream in (ordered by volunteer), so memory holds one volunteer at a time.
"""
import csv
import io
from collections import Counter
from datetime import timedelta

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.spreadsheet import safe_cell, safe_row  # the exports' one escaping of user text
from app.records.models import ServiceCredit
from app.records.service import hours, local_date, services_of
from app.stats.export import XLSX_MIMETYPE, _disposition
from app.stats.service import TZ, Period, Scope
from app.users.models import User

COLUMNS = ["序号", "姓名", "手机号", "服务开始日期", "服务结束日期", "服务日期", "服务内容", "服务次数", "服务时长（小时）",
           "服务时长（分钟）", "平台用户编号"]
WIDTHS = [6, 12, 14, 13, 13, 30, 40, 9, 14, 14, 12]
MAX_TEXT = 2000  # a cell of dates or content stays readable (and far below Excel's 32,767)
BATCH = 500


def _services(scope: Scope, period: Period):
    """(user, name, phone, served_at, title, minutes) per service that stands, ordered by volunteer and date."""
    services = services_of(ServiceCredit.area_id.in_(scope.area_ids), ServiceCredit.served_at >= period.start,
                           ServiceCredit.served_at < period.end, per_user=True)
    query = (select(services.c.user_id, User.real_name, User.nickname, User.phone, services.c.served_at,
                    services.c.title, services.c.minutes)
             .join(User, User.id == services.c.user_id)
             .order_by(services.c.user_id, services.c.served_at)
             .execution_options(yield_per=BATCH))
    return db.session.execute(query)


def _joined(values: list[str]) -> str:
    text = "、".join(values)
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT - 1] + "…"


def volunteer_rows(scope: Scope, period: Period):
    """One list of COLUMNS values a volunteer, user text escaped."""
    number = 0
    current = None
    for user_id, real_name, nickname, phone, served_at, title, minutes in _services(scope, period):
        if current is None or current["user_id"] != user_id:
            if current is not None:
                number += 1
                yield _row(number, current)
            current = {"user_id": user_id, "name": real_name or nickname or f"用户{user_id}", "phone": phone or "",
                       "dates": [], "titles": Counter(), "count": 0, "minutes": 0}
        day = local_date(served_at)
        if day not in current["dates"][-1:]:
            current["dates"].append(day)
        current["titles"][title] += 1
        current["count"] += 1
        current["minutes"] += int(minutes)
    if current is not None:
        yield _row(number + 1, current)


def _row(number: int, volunteer: dict) -> list:
    dates = volunteer["dates"]
    content = _joined([f"{title}（{count}次）" for title, count in volunteer["titles"].items()])
    return safe_row([number, volunteer["name"], volunteer["phone"], dates[0], dates[-1], _joined(dates), content,
                     volunteer["count"], hours(volunteer["minutes"]), volunteer["minutes"], volunteer["user_id"]])


def _filename(scope: Scope, period: Period, extension: str) -> str:
    first = period.local_start.date()
    last = (period.local_end - timedelta(microseconds=1)).date()
    return f"志愿服务时长_{scope.name}_{first:%Y%m%d}-{last:%Y%m%d}.{extension}"


def _attach(response: Response, filename: str) -> Response:
    response.headers["Content-Disposition"] = _disposition(filename)
    response.headers["Cache-Control"] = "no-store"
    return response


def csv_response(scope: Scope, period: Period) -> Response:
    """UTF-8 with a BOM, so Excel reads the Chinese."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows(volunteer_rows(scope, period))
    response = Response(buffer.getvalue().encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    return _attach(response, _filename(scope, period, "csv"))


def xlsx_response(scope: Scope, period: Period) -> Response:
    """A sheet of volunteers (its first row the header, ready to import) and a sheet saying what it covers."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("志愿服务时长")
    for index, width in enumerate(WIDTHS, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    sheet.append([_cell(sheet, title, bold) for title in COLUMNS])
    volunteers = minutes = 0
    for row in volunteer_rows(scope, period):
        sheet.append(row)
        volunteers += 1
        minutes += row[9]
    about = workbook.create_sheet("说明")
    about.column_dimensions["A"].width = 16
    about.column_dimensions["B"].width = 60
    for label, value in (("统计范围", safe_cell(scope.name)), ("统计期间", period.label()), ("志愿者人数", volunteers),
                         ("服务时长合计（小时）", hours(minutes)),
                         ("说明", "每名志愿者一行；服务时长为点单服务与经确认的吹哨、志愿活动时长之和，"
                                "工单重新办理后原时长已冲回。可按全国志愿服务信息系统的导入模板复制姓名、服务日期、"
                                "服务内容与时长。"),
                         ("导出时间", clock.now().astimezone(TZ).strftime("%Y-%m-%d %H:%M"))):
        about.append([_cell(about, label, bold), value])
    body = io.BytesIO()
    workbook.save(body)
    return _attach(Response(body.getvalue(), mimetype=XLSX_MIMETYPE), _filename(scope, period, "xlsx"))


def _cell(sheet, value, font: Font) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = font
    return cell
