"""The HTTP envelope: the contract's error shape for bad input, sizes, unknown paths and crashes;
/health, the OpenAPI document and the offline docs page."""
import logging
import re

import pytest
from openapi_spec_validator import validate as validate_openapi

from app import create_app

MB = 1024 * 1024


class Untouchable:
    """A request body of `size` bytes that fails the test if the app reads a single byte of it."""

    def __init__(self, size: int):
        self.size, self.position = size, 0

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = 0) -> int:
        self.position = self.size + offset if whence == 2 else offset
        return self.position

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = readlines = read

    def __iter__(self):
        raise AssertionError("the body was read")


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:500])
    assert response.is_json
    body = response.get_json()
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    assert set(body) <= {"code", "message", "errors", "errcode", "request_id"}
    return body


# Endpoints that take a JSON body, with who calls them and a body of the wrong types and one with an
# unknown field; each is filled in from the demo world by `endpoint()`.
JSON_ENDPOINTS = {
    "login": ("POST", "/api/v1/auth/wechat-login", None,
              {"code": ["dev:x"]}, {"code": "dev:x", "openid": "x"}),
    "me": ("PATCH", "/api/v1/me", "resident",
           {"nickname": 5, "is_party_member": "perhaps", "home_area_id": "abc"}, {"points": 100}),
    "phone": ("POST", "/api/v1/me/phone", "resident", {"code": {"a": 1}}, {"code": "dev:13800001234", "x": 1}),
    "areas": ("POST", "/api/v1/areas", "admin",
              {"name": ["松阳"], "kind": 1, "parent_id": "town"}, {"name": "新网格", "kind": "grid",
                                                                  "parent_id": "{sy}", "path": "/1/"}),
    "role-grants": ("POST", "/api/v1/role-grants", "admin",
                    {"user_id": "one", "role": 7, "area_id": [1]},
                    {"user_id": "{resident}", "role": "staff", "area_id": "{sy}", "expires": "never"}),
    "teams": ("POST", "/api/v1/teams", "staff_sy",
              {"name": 1, "area_id": "sy", "category_codes": "escort"},
              {"name": "新队", "area_id": "{sy}", "invite_code": "AAAAAA"}),
    "orders": ("POST", "/api/v1/orders", "resident",
               {"category": 1, "description": [], "address": {}, "contact_name": True, "contact_phone": 138,
                "area_id": "sy"},
               {"category": "escort", "description": "需要陪同就医", "address": "松阳小区", "contact_name": "张",
                "contact_phone": "13800001234", "area_id": "{sy}", "status": "completed"}),
}


def fill(value, demo):
    """Replace "{sy}"/"{resident}" placeholders by the demo world's ids."""
    if isinstance(value, dict):
        return {key: fill(item, demo) for key, item in value.items()}
    names = {"sy": demo.sy, "qs": demo.qs, "resident": demo.user_ids["resident"]}
    if isinstance(value, str) and re.fullmatch(r"\{\w+\}", value):
        return names[value[1:-1]]
    return value


def call(demo, name, **kwargs):
    method, path, who, _wrong, _unknown = JSON_ENDPOINTS[name]
    headers = {**(demo.headers(who) if who else {}), **kwargs.pop("headers", {})}
    return demo.client.open(path, method=method, headers=headers, **kwargs)


@pytest.mark.parametrize("name", JSON_ENDPOINTS)
@pytest.mark.parametrize("data", ['{"code": ', "{'single': 'quotes'}", "not json", '{"a": 1,}', "\x00"])
def test_malformed_json_is_bad_request(demo, name, data):
    """Is a body that is not valid JSON a 400 bad_request on every JSON endpoint?"""
    response = call(demo, name, data=data, content_type="application/json")

    assert_error(response, 400, "bad_request")


@pytest.mark.parametrize("name", JSON_ENDPOINTS)
def test_invalid_utf8_is_bad_request(demo, name):
    """Is a JSON body that is not UTF-8 a 400 bad_request?"""
    response = call(demo, name, data=b'{"name": "\xff\xfe"}', content_type="application/json")

    assert_error(response, 400, "bad_request")


@pytest.mark.parametrize("name", JSON_ENDPOINTS)
def test_wrong_types_are_field_errors(demo, name):
    """Are values of the wrong type a 422 validation_error naming each bad field?"""
    wrong = JSON_ENDPOINTS[name][3]

    body = assert_error(call(demo, name, json=wrong), 422, "validation_error")

    assert set(wrong) <= set(body["errors"]), body["errors"]
    assert all(isinstance(messages, list) and messages for messages in body["errors"].values())


@pytest.mark.parametrize("name", JSON_ENDPOINTS)
def test_unknown_fields_are_refused(demo, name):
    """Is a body with a field the contract does not have a 422 naming that field?"""
    unknown = fill(JSON_ENDPOINTS[name][4], demo)
    extra = [key for key in unknown if key not in {"code", "name", "kind", "parent_id", "user_id", "role",
                                                      "area_id", "category", "description", "address",
                                                      "contact_name", "contact_phone"}]

    body = assert_error(call(demo, name, json=unknown), 422, "validation_error")

    assert set(extra) <= set(body["errors"]), body["errors"]


@pytest.mark.parametrize("name", JSON_ENDPOINTS)
@pytest.mark.parametrize("data", ["[]", '"text"', "42", "null", "true"])
def test_json_that_is_not_an_object_is_refused(demo, name, data):
    """Is a JSON body that is not an object a 4xx with the error shape, never a 500?"""
    response = call(demo, name, data=data, content_type="application/json")

    assert response.status_code in (400, 422), response.get_data(as_text=True)
    assert_error(response, response.status_code, "bad_request" if response.status_code == 400 else "validation_error")


@pytest.mark.parametrize("name", JSON_ENDPOINTS)
def test_json_over_one_megabyte_is_refused_unread(demo, name):
    """Is a JSON body over 1 MB a 413 payload_too_large from Content-Length alone, before it is read?"""
    response = call(demo, name, input_stream=Untouchable(MB + 1), content_type="application/json")

    assert_error(response, 413, "payload_too_large")


@pytest.mark.parametrize("path", ["/api/v1/attachments", "/api/v1/me/phone", "/api/v1/orders", "/api/v1/nowhere"])
@pytest.mark.parametrize("content_type", ["multipart/form-data; boundary=x", "application/octet-stream",
                                          "text/plain", None])
def test_any_body_over_six_megabytes_is_refused_unread(demo, path, content_type):
    """Is any body over 6 MB a 413 payload_too_large from Content-Length alone, whatever its type?"""
    kwargs = {"content_type": content_type} if content_type else {}

    response = demo.client.post(path, headers=demo.headers("resident"), input_stream=Untouchable(6 * MB + 1),
                                **kwargs)

    assert_error(response, 413, "payload_too_large")


def test_a_json_body_of_one_megabyte_is_read(demo):
    """Is a JSON body of exactly 1 MB read and judged (422 for the over-long code), not refused for its size?"""
    prefix, suffix = '{"code": "', '"}'
    data = prefix + "x" * (MB - len(prefix) - len(suffix)) + suffix
    assert len(data) == MB

    response = demo.client.post("/api/v1/auth/wechat-login", data=data, content_type="application/json")

    body = assert_error(response, 422, "validation_error")
    assert "code" in body["errors"]


def test_a_two_megabyte_upload_is_not_refused_for_its_size(demo):
    """Is a 2 MB multipart upload (under the 6 MB cap) read and judged on its content, not a 413?"""
    from io import BytesIO

    response = demo.client.post("/api/v1/attachments", headers=demo.headers("resident"),
                                data={"file": (BytesIO(b"x" * 2 * MB), "note.txt")},
                                content_type="multipart/form-data")

    body = assert_error(response, 422, "validation_error")
    assert "file" in body["errors"]


# --- unknown paths, methods and crashes ---------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1/orders/1/fly", "/api/v2/health", "/nope", "/",
                                  "/api/v1/teams/999999", "/api/v1/areas/abc"])
def test_unknown_paths_are_json_404(client, path):
    """Is an unknown path a 404 not_found with the error shape (JSON, also outside /api)?"""
    response = client.get(path)

    assert_error(response, 404, "not_found")


@pytest.mark.parametrize("method, path", [("DELETE", "/api/v1/health"), ("PUT", "/api/v1/me"),
                                          ("POST", "/api/v1/users"), ("PATCH", "/api/v1/auth/wechat-login"),
                                          ("GET", "/api/v1/auth/logout")])
def test_wrong_methods_are_json_405(client, method, path):
    """Is a method the path does not take a 405 method_not_allowed with the shape and an Allow header?"""
    response = client.open(path, method=method)

    assert_error(response, 405, "method_not_allowed")
    assert response.headers["Allow"]
    assert method not in response.headers["Allow"].split(", ")


def test_unexpected_failure_is_500_with_logged_request_id(database_url, app, caplog):
    """Is a crash a 500 internal_error whose request_id is in the body, the header and the log, without the cause?"""
    failing = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)

    @failing.route("/api/v1/_explode")
    def explode():
        raise RuntimeError("database password is hunter2")

    response = failing.test_client().get("/api/v1/_explode")

    body = assert_error(response, 500, "internal_error")
    assert re.fullmatch(r"[0-9a-f]{32}", body["request_id"])
    assert response.headers["X-Request-ID"] == body["request_id"]
    assert "hunter2" not in response.get_data(as_text=True)
    logged = [r for r in caplog.records if body["request_id"] in r.getMessage()]
    assert logged and logged[0].levelno == logging.ERROR
    assert logged[0].exc_info and "hunter2" in caplog.text


def test_request_id_is_taken_from_the_client(client):
    """Is a well-formed X-Request-ID from the client echoed back, and a malformed one replaced?"""
    good = client.get("/api/v1/health", headers={"X-Request-ID": "abc123"})
    bad = client.get("/api/v1/health", headers={"X-Request-ID": "<script>"})

    assert good.headers["X-Request-ID"] == "abc123"
    assert re.fullmatch(r"[0-9a-f]{32}", bad.headers["X-Request-ID"])


@pytest.mark.parametrize("query", ["limit=abc", "limit=0", "limit=51", "cursor=%%%", "cursor=bm90LWpzb24",
                                   "kind=planet", "parent_id=x"])
def test_bad_query_arguments_are_field_errors(client, query):
    """Are bad list arguments (limit, cursor, filters) a 422 validation_error, never a 500?"""
    response = client.get(f"/api/v1/areas?{query}")

    body = assert_error(response, 422, "validation_error")
    assert body["errors"]


# --- health, OpenAPI, docs ----------------------------------------------------------------------


def test_health(client, app):
    """Does /health answer ok for the service and its database, without a token, with one SELECT and no transaction
    that wrote (SQL text would count as a write: BEGIN, SELECT, COMMIT on PostgreSQL)?"""
    from sqlalchemy import event

    from app.database import WROTE
    from app.extensions import db

    with app.app_context():
        engine = db.engine
    sent, wrote = [], []
    listeners = (("before_cursor_execute", lambda _c, _cu, statement, *_a: sent.append(statement)),
                 ("commit", lambda _conn: wrote.append(db.session.info.get(WROTE))))
    for name, listener in listeners:
        event.listen(engine, name, listener)
    try:
        response = client.get("/api/v1/health")
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "db": "ok"}
    assert [s for s in sent if s.lstrip().upper().startswith("SELECT")] == ["SELECT 1"] and not any(wrote), sent


FOUNDATION_PATHS = {
    "/api/v1/health": {"get"},
    "/api/v1/auth/wechat-login": {"post"},
    "/api/v1/auth/logout": {"post"},
    "/api/v1/me": {"get", "patch"},
    "/api/v1/me/phone": {"post"},
    "/api/v1/areas": {"get", "post"},
    "/api/v1/role-grants": {"post"},
    "/api/v1/role-grants/{grant_id}": {"delete"},
    "/api/v1/users": {"get"},
    "/api/v1/categories": {"get"},
    "/api/v1/teams": {"get", "post"},
    "/api/v1/orders": {"get", "post"},
    "/api/v1/orders/{order_id}": {"get"},
}


def test_openapi_document_is_valid_and_lists_the_paths(client):
    """Is /api/v1/openapi.json a valid OpenAPI 3 document listing the contract's paths and methods?"""
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200 and response.is_json
    spec = response.get_json()
    validate_openapi(spec)
    assert spec["openapi"].startswith("3.")
    for path, methods in FOUNDATION_PATHS.items():
        assert path in spec["paths"], path
        assert methods <= set(spec["paths"][path]), (path, set(spec["paths"][path]))
    login = spec["paths"]["/api/v1/auth/wechat-login"]["post"]["requestBody"]["content"]["application/json"]
    login_schema = spec["components"]["schemas"][login["schema"]["$ref"].rsplit("/", 1)[-1]]
    assert login_schema["required"] == ["code"]
    assert "bearerAuth" in spec["components"]["securitySchemes"]


def test_docs_page_uses_only_local_assets(client):
    """Is /api/v1/docs served with its scripts and styles from this server, naming no other host?"""
    response = client.get("/api/v1/docs")

    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", page, re.IGNORECASE), page
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any(asset.endswith(".js") for asset in assets) and any(asset.endswith(".css") for asset in assets)
    for asset in assets:
        assert asset.startswith("/"), asset
        served = client.get(asset)
        assert served.status_code == 200, asset
        assert len(served.get_data()) > 1000
    assert "/api/v1/openapi.json" in page
