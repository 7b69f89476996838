"""Photos: POST /attachments (jpeg/png/webp ≤ 5 MB, type from the bytes), served only to those who may see them."""
import os
from io import BytesIO
from pathlib import Path

import pytest

from app.config import INSTANCE_DIR, Config

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x01" * 200
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x02" * 200
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x03" * 200
GIF = b"GIF89a" + b"\x04" * 200
MB = 1024 * 1024


def upload(client, headers, data, name="photo.jpg", content_type=None, field="file"):
    file = (BytesIO(data), name, content_type) if content_type else (BytesIO(data), name)
    return client.post("/api/v1/attachments", data={field: file}, headers=headers,
                       content_type="multipart/form-data")


@pytest.mark.parametrize(("data", "name", "declared", "expected"), [
    (JPEG, "a.jpg", "image/jpeg", "image/jpeg"),
    (PNG, "a.png", "image/png", "image/png"),
    (WEBP, "a.webp", "image/webp", "image/webp"),
    (PNG, "a.jpg", "image/jpeg", "image/png"),  # the bytes decide, not the name or the declared type
    (JPEG, "noext", "application/octet-stream", "image/jpeg"),
])
def test_images_are_typed_from_their_bytes(demo, client, app, data, name, declared, expected):
    """Is an upload's type taken from its bytes, stored on disk and given back byte for byte to its owner?"""
    response = upload(client, demo.headers("resident"), data, name, declared)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["content_type"] == expected and body["size"] == len(data)
    assert len(body["id"]) == 32 and body["url"] == f"/api/v1/attachments/{body['id']}"
    stored = Path(app.config["UPLOAD_DIR"]) / body["id"][:2] / body["id"]
    assert stored.read_bytes() == data
    fetched = client.get(body["url"], headers=demo.headers("resident"))
    assert fetched.status_code == 200 and fetched.data == data and fetched.mimetype == expected


@pytest.mark.parametrize(("data", "name", "declared"), [
    (GIF, "a.gif", "image/gif"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "a.svg", "image/svg+xml"),
    (b"%PDF-1.4 hello", "a.jpg", "image/jpeg"),  # a PDF dressed as a photo
    (b"<html><script>alert(1)</script></html>", "a.png", "image/png"),
    (b"\xff\xd8", "short.jpg", "image/jpeg"),
])
def test_other_files_are_refused(demo, client, data, name, declared):
    """Is anything but a JPEG, PNG or WEBP refused with a 422 on `file`, whatever its name says?"""
    response = upload(client, demo.headers("resident"), data, name, declared)
    assert response.status_code == 422
    assert "file" in response.get_json()["errors"]


def test_empty_and_missing_files(demo, client):
    """Are an empty file, a missing file field and a JSON body each a 422?"""
    headers = demo.headers("resident")
    assert upload(client, headers, b"", "a.jpg").status_code == 422
    assert upload(client, headers, JPEG, field="photo").status_code == 422
    assert client.post("/api/v1/attachments", json={"file": "abc"}, headers=headers).status_code == 422
    assert client.post("/api/v1/attachments", headers=headers).status_code == 422


def test_size_limits(demo, client, app):
    """Is 5 MB accepted, just over it 413, and a body over 6 MB refused from its Content-Length alone?"""
    headers = demo.headers("resident")
    exactly = JPEG + b"\x00" * (5 * MB - len(JPEG))
    assert upload(client, headers, exactly).status_code == 201
    over = upload(client, headers, exactly + b"\x00")
    assert over.status_code == 413 and over.get_json()["code"] == "payload_too_large"
    huge = upload(client, headers, JPEG + b"\x00" * (6 * MB))
    assert huge.status_code == 413
    # Nothing of the refused uploads is left on disk.
    stored = [p for p in Path(app.config["UPLOAD_DIR"]).rglob("*") if p.is_file()]
    assert len(stored) == 1


def test_uploads_default_to_instance_uploads():
    """Are uploads kept under instance/uploads when UPLOAD_DIR is not set?"""
    if os.environ.get("UPLOAD_DIR"):
        pytest.skip("UPLOAD_DIR is set in this environment")
    assert Path(Config.UPLOAD_DIR) == INSTANCE_DIR / "uploads"


def test_anonymous_cannot_upload_or_read(demo, client):
    """Are uploading and reading a photo refused (401) without a login?"""
    assert upload(client, {}, JPEG).status_code == 401
    photo = upload(client, demo.headers("resident"), JPEG).get_json()
    assert client.get(photo["url"]).status_code == 401


WHO_SEES_ORDER_PHOTOS = {
    "resident": 200, "resident2": 404, "vol1": 200, "vol2": 200, "leader_qs": 404, "staff_sy": 200,
    "staff_qs": 404, "admin": 200, "grid_sy": 200,
}


def test_photos_follow_their_order(demo, client):
    """Is a photo of an order served to exactly those who may see the order, and a loose one to its owner only?"""
    loose = upload(client, demo.headers("resident"), PNG).get_json()
    photo = upload(client, demo.headers("resident"), JPEG).get_json()
    order = demo.order_at("dispatched", photos=[photo["id"]])
    assert order["photos"] == [photo["id"]]
    seen = {who: client.get(photo["url"], headers=demo.headers(who)).status_code for who in WHO_SEES_ORDER_PHOTOS}
    assert seen == WHO_SEES_ORDER_PHOTOS
    assert client.get(loose["url"], headers=demo.headers("resident")).status_code == 200
    assert {client.get(loose["url"], headers=demo.headers(who)).status_code
            for who in ("staff_sy", "vol1", "resident2", "admin")} == {404}
    assert client.get("/api/v1/attachments/" + "0" * 32, headers=demo.headers("resident")).status_code == 404
    assert client.get("/api/v1/attachments/not-an-id", headers=demo.headers("resident")).status_code == 404


def test_result_photos_are_seen_by_the_requester(demo, client):
    """Does a volunteer's result photo reach the requester and staff, but no outsider?"""
    order = demo.order_at("accepted")
    photo = upload(client, demo.headers("vol1"), WEBP).get_json()
    demo.act(order["id"], "complete", "vol1", {"result": "已上门维修完毕", "photos": [photo["id"]]})
    assert {who: client.get(photo["url"], headers=demo.headers(who)).status_code
            for who in ("resident", "staff_sy", "resident2", "staff_qs")} == {
        "resident": 200, "staff_sy": 200, "resident2": 404, "staff_qs": 404}


def test_photos_must_be_ones_own_and_unused(demo, client, app):
    """Are another user's photo, an unknown id and a photo already on another order refused with 422?"""
    theirs = upload(client, demo.headers("resident2"), JPEG).get_json()["id"]
    mine = upload(client, demo.headers("resident"), JPEG).get_json()["id"]
    for photos in ([theirs], ["f" * 32], [mine, theirs]):
        response = client.post("/api/v1/orders", json=demo.order_body(photos=photos), headers=demo.headers("resident"))
        assert response.status_code == 422 and "photos" in response.get_json()["errors"], photos
    first = demo.create_order(photos=[mine])
    again = client.post("/api/v1/orders", json=demo.order_body(photos=[mine]), headers=demo.headers("resident"))
    assert again.status_code == 422
    # A refused order leaves the photo free; the one that was made keeps it.
    assert client.get(f"/api/v1/attachments/{mine}", headers=demo.headers("staff_sy")).status_code == 200
    assert first["photos"] == [mine]
    # A volunteer cannot attach the resident's photo to a result either.
    order = demo.order_at("accepted")
    stolen = client.post(f"/api/v1/orders/{order['id']}/complete", json={"result": "已完成", "photos": [mine]},
                         headers=demo.headers("vol1"))
    assert stolen.status_code == 422
    assert client.get(f"/api/v1/orders/{order['id']}", headers=demo.headers("vol1")).get_json()["status"] == "accepted"
    with app.app_context():
        from app.attachments.models import Attachment
        from app.extensions import db

        assert db.session.get(Attachment, mine).order_id == first["id"]
