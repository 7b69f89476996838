"""志愿服务记录证明: issuing, the PDF (opened with pypdf: figures, Chinese text, an embedded font subset),
who may download it, public verification with no more than the masked name, fixed figures, codes."""
import io
import re
from datetime import datetime, timedelta, timezone

import pytest
from pypdf import PdfReader

from app import clock, create_app
from app.records.certificates import CODE_ALPHABET, mask_name
from tests.records.test_records import confirm, make_call, served

START = datetime(2024, 5, 30, 1, 0, tzinfo=timezone.utc)  # 09:00 in Shanghai
ISSUED = datetime(2024, 6, 2, 1, 0, tzinfo=timezone.utc)
NAME = "欧阳小明"
CODE = re.compile(rf"^[{CODE_ALPHABET}]{{16}}$")


@pytest.fixture(autouse=True)
def frozen_clock():
    clock.freeze(START)
    yield
    clock.freeze(None)


@pytest.fixture
def volunteer(demo):
    """vol1 with a real name, two services (90 and 45 minutes, rated 5 and 4 stars) and an activity (120)."""
    assert demo.client.patch("/api/v1/me", json={"real_name": NAME}, headers=demo.headers("vol1")).status_code == 200
    confirm(demo, make_call(demo, starts_at=(START + timedelta(hours=1)).isoformat())["id"], "vol1")
    first = served(demo, 90)
    demo.act(first["id"], "rate", "resident", {"stars": 5})
    second = served(demo, 45)
    demo.act(second["id"], "rate", "resident", {"stars": 4})
    clock.freeze(ISSUED)
    return {"first": first, "second": second}


def issue(demo, who="vol1", status=201, **body) -> dict:
    response = demo.client.post("/api/v1/me/service-certificates", json=body, headers=demo.headers(who))
    assert response.status_code == status, response.get_json()
    return response.get_json()


def pdf_of(demo, code, who="vol1"):
    return demo.client.get(f"/api/v1/service-certificates/{code}.pdf", headers=demo.headers(who))


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_issuing_answers_with_the_code_and_links(demo, volunteer):
    """Does POST /me/service-certificates answer 201 with a code, the PDF's URL and the public verify URL?"""
    body = issue(demo, **{"from": "2024-05-01", "to": "2024-06-01"})
    assert CODE.match(body["code"])
    assert body["pdf_url"] == f"/api/v1/service-certificates/{body['code']}.pdf"
    assert body["verify_url"] == f"http://localhost/api/v1/verify/{body['code']}"
    assert (body["total_minutes"], body["services"], body["calls"]) == (255, 2, 1)
    listed = demo.client.get("/api/v1/me/service-certificates", headers=demo.headers("vol1")).get_json()
    assert [c["code"] for c in listed["items"]] == [body["code"]]


def test_the_pdf_opens_and_holds_the_figures_in_chinese_with_an_embedded_font(demo, volunteer, app):
    """Does the PDF open in a PDF reader, state the name, period, counts, hours, issuer and code in Chinese, and
    embed a subset of its Chinese font?"""
    app.config["PUBLIC_BASE_URL"] = "https://sqwd.example.cn"
    body = issue(demo, **{"from": "2024-05-01", "to": "2024-06-01"})
    response = pdf_of(demo, body["code"])
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    reader = PdfReader(io.BytesIO(response.data))
    text = "".join(page.extract_text() for page in reader.pages)
    compact = re.sub(r"\s+", "", text)
    for phrase in ("志愿服务记录证明", NAME, "2024年5月1日至5月31日", "点单志愿服务2次", "志愿活动1次",
                   "4小时15分钟", "合计4.25小时", "平均4.5星", "松阳社区", body["code"], "特此证明",
                   "https://sqwd.example.cn/api/v1/verify/"):
        assert phrase in compact, phrase
    assert "陪医" in compact and "社区环境整治" in compact  # the services listed
    fonts = [font.get_object() for page in reader.pages
             for font in page["/Resources"]["/Font"].values()]
    embedded = [f for f in fonts if "/DescendantFonts" in f or "/FontDescriptor" in f]
    assert embedded, fonts
    for font in embedded:
        descriptor = (font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font)
        descriptor = descriptor["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor  # the TrueType outlines are in the file
        assert re.match(r"^/[A-Z]{6}\+", str(font["/BaseFont"])), font["/BaseFont"]  # a subset
    assert len(response.data) < 200_000  # a subset, not the 5 MB font
    assert reader.metadata.title == "志愿服务记录证明"


def test_the_pdf_is_for_its_owner_and_the_staff_of_their_areas(demo, volunteer):
    """May only the owner and staff of the owner's areas download the PDF (others 404, anonymous 401)?"""
    code = issue(demo)["code"]
    seen = {who: pdf_of(demo, code, who).status_code
            for who in ("vol1", "staff_sy", "admin", "staff_qs", "leader_sy", "vol2", "resident")}
    assert seen == {"vol1": 200, "staff_sy": 200, "admin": 200, "staff_qs": 404, "leader_sy": 404, "vol2": 404,
                    "resident": 404}
    assert demo.client.get(f"/api/v1/service-certificates/{code}.pdf").status_code == 401
    assert pdf_of(demo, "ABCDEFGHJKLMNPQR").status_code == 404
    assert pdf_of(demo, "nope").status_code == 404


def test_verification_shows_the_facts_and_no_more_than_the_masked_name(demo, volunteer):
    """Does GET /verify/{code}, with no login, give the facts as JSON, and a page to browsers, neither of them
    carrying the whole name?"""
    body = issue(demo, **{"from": "2024-05-01", "to": "2024-06-01"})
    response = demo.client.get(f"/api/v1/verify/{body['code']}", headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.headers["Vary"] == "Accept"
    facts = response.get_json()
    assert {k: facts[k] for k in ("name_masked", "total_minutes", "services", "calls", "issuer", "valid")} == {
        "name_masked": "欧**明", "total_minutes": 255, "services": 2, "calls": 1, "issuer": "松阳社区", "valid": True}
    assert facts["from"] == "2024-04-30T16:00:00+00:00" and facts["to"] == "2024-05-31T16:00:00+00:00"
    assert facts["issued_at"] == "2024-06-02T01:00:00+00:00"
    assert NAME not in response.get_data(as_text=True)
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    page = demo.client.get(f"/api/v1/verify/{body['code']}", headers=browser)
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "欧**明" in html and "该证明真实有效" in html and "4.25 小时" in html and "2024年5月1日至5月31日" in html
    assert NAME not in html and "小明" not in html
    # Typed by hand: lower case, dashes and spaces are forgiven.
    typed = "-".join(body["code"][i:i + 4] for i in range(0, 16, 4)).lower()
    assert demo.client.get(f"/api/v1/verify/ {typed} ").get_json()["total_minutes"] == 255


@pytest.mark.parametrize("code", ["ABCDEFGHJKLMNPQR", "short", "0" * 16, "A" * 200, "%00"])
def test_unknown_codes_are_404(demo, code):
    """Is any code that was not issued a 404, as JSON or as a page?"""
    response = demo.client.get(f"/api/v1/verify/{code}")
    assert response.status_code == 404 and response.get_json()["code"] == "not_found"
    page = demo.client.get(f"/api/v1/verify/{code}", headers={"Accept": "text/html"})
    assert page.status_code == 404 and "未找到该证明" in page.get_data(as_text=True)


def test_codes_are_unguessable(demo, volunteer):
    """Are codes 16 characters of a 32-letter alphabet (80 random bits), never repeated?"""
    codes = [issue(demo)["code"] for _ in range(25)]
    assert len(set(codes)) == 25 and all(CODE.match(c) for c in codes)
    assert len(CODE_ALPHABET) == 32 and len(set(CODE_ALPHABET)) == 32
    # Neighbours of a real code name nothing.
    code = codes[0]
    other = code[:-1] + next(c for c in CODE_ALPHABET if c != code[-1])
    assert other not in codes and demo.client.get(f"/api/v1/verify/{other}").status_code == 404


def test_an_issued_certificate_keeps_its_figures(demo, volunteer):
    """After the record changes (an order reopened, a new service), do the issued certificate's verification
    and PDF stay as they were issued, while a new certificate shows the change?"""
    body = issue(demo, **{"from": "2024-05-01", "to": "2024-06-01"})
    before = pdf_of(demo, body["code"]).data
    demo.act(volunteer["first"]["id"], "reopen", "staff_sy", {"reason": "回访发现问题未解决"})
    served(demo, 30)
    assert demo.client.get(f"/api/v1/verify/{body['code']}").get_json()["total_minutes"] == 255
    assert pdf_of(demo, body["code"]).data == before
    assert "4小时15分钟" in re.sub(r"\s+", "", pdf_text(before))
    clock.advance(minutes=1)
    again = issue(demo, **{"from": "2024-05-01", "to": "2024-07-01"})
    assert (again["total_minutes"], again["services"]) == (255 - 90 + 30, 2)


def test_what_cannot_be_certified_is_422(demo, volunteer):
    """Is a certificate refused (422, in Chinese) without a real name, for a period with no service, or with a
    bad period?"""
    demo.client.patch("/api/v1/me", json={"real_name": ""}, headers=demo.headers("vol2"))
    nameless = issue(demo, "vol2", 422)
    assert "真实姓名" in nameless["message"]
    empty = issue(demo, status=422, **{"from": "2023-01-01", "to": "2023-02-01"})
    assert "没有志愿服务记录" in empty["message"]
    assert "to" in issue(demo, status=422, **{"from": "2024-05-05", "to": "2024-05-01"})["errors"]
    assert "from" in issue(demo, status=422, **{"from": "明天"})["errors"]
    assert "from" in issue(demo, status=422, **{"from": "2024-07-01"})["errors"]  # after now
    assert "sneaky" in issue(demo, status=422, sneaky=1)["errors"]


def test_the_default_period_runs_from_the_first_service_to_now(demo, volunteer):
    """Without from and to, does a certificate cover everything from the first service's day to now?"""
    body = issue(demo)
    assert body["total_minutes"] == 255
    assert body["from"] == "2024-05-29T16:00:00+00:00"  # 30 May, Shanghai midnight
    assert body["to"] == "2024-06-02T01:00:00+00:00"  # now
    assert issue(demo, **{"from": "2024-05-01", "to": "2025-01-01"})["to"] == body["to"]  # never beyond now


def test_certificates_beyond_the_limit_are_429(demo, volunteer, database_url, tmp_path):
    """With limits on, is a volunteer's certificate beyond RATELIMIT_CERTIFICATE refused with 429?"""
    limited = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, UPLOAD_DIR=str(tmp_path),
                         RATELIMIT_ENABLED=True, RATELIMIT_CERTIFICATE="2 per day")
    client = limited.test_client()
    statuses = [client.post("/api/v1/me/service-certificates", json={}, headers=demo.headers("vol1")).status_code
                for _ in range(3)]
    assert statuses == [201, 201, 429]


def test_an_erased_users_certificates_keep_no_name(demo, volunteer, app):
    """After forget_names (注销), does a certificate still verify its figures, with no name left anywhere?"""
    from app.extensions import db
    from app.records.certificates import forget_names

    code = issue(demo)["code"]
    with app.app_context():
        assert forget_names(demo.user_ids["vol1"]) == 1
        db.session.commit()
    facts = demo.client.get(f"/api/v1/verify/{code}").get_json()
    assert (facts["name_masked"], facts["total_minutes"]) == ("（已注销）", 255)
    assert "欧阳" not in pdf_text(pdf_of(demo, code).data)


@pytest.mark.parametrize("name, masked", [("李", "*"), ("李明", "李*"), ("李小明", "李*明"), ("欧阳小明", "欧**明"),
                                          ("Anna Lee", "A******e")])
def test_names_are_masked(name, masked):
    """Does masking keep only the first character and, from three on, the last?"""
    assert mask_name(name) == masked
