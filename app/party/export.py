"""The Party member register (双报到名册) as csv (UTF-8 with BOM, for Excel) or xlsx (openpyxl)."""
import csv
import io
from urllib.parse import quote
from zoneinfo import ZoneInfo

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from app import clock
from app.party import service
from app.spreadsheet import safe_row

TZ = ZoneInfo("Asia/Shanghai")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMNS = ["用户编号", "姓名", "昵称", "手机号", "报到社区", "工作单位", "服务次数", "吹哨与活动签到次数"]
WIDTHS = [10, 12, 16, 14, 16, 28, 10, 18]


def _rows(paths: list[str], q: str | None):
    for row in service.all_members(paths, q):
        m = service.present_member(row)
        yield safe_row([m["id"], m["name"], m["nickname"], m["phone"] or "", m["home_area_name"], m["work_unit"],
                        m["services"], m["call_checkins"]])


def _filename(extension: str) -> str:
    return f"党员双报到名册_{clock.now().astimezone(TZ):%Y%m%d}.{extension}"


def _attach(response: Response, extension: str) -> Response:
    name = _filename(extension)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"party-members.{extension}\"; filename*=UTF-8''{quote(name)}")
    response.headers["Cache-Control"] = "no-store"
    return response


def csv_response(paths: list[str], q: str | None = None) -> Response:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows(_rows(paths, q))
    response = Response(buffer.getvalue().encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    return _attach(response, "csv")


def xlsx_response(paths: list[str], q: str | None = None) -> Response:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("党员双报到名册")
    for index, width in enumerate(WIDTHS, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for title in COLUMNS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in _rows(paths, q):
        sheet.append(row)
    body = io.BytesIO()
    workbook.save(body)
    return _attach(Response(body.getvalue(), mimetype=XLSX_MIMETYPE), "xlsx")
