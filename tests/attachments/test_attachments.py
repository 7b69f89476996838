"""Photos: POST /attachments (jpeg/png/webp ≤ 5 MB, decoded and written again without metadata), served only
to those who may see them; limits, quota and the clean-up of unused uploads."""
import os
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image

from app.config import INSTANCE_DIR, Config


def image_bytes(kind: str, size=(8, 6), color=(200, 30, 30), **save) -> bytes:
    out = BytesIO()
    Image.new("RGB", size, color).save(out, kind, **save)
    return out.getvalue()


JPEG = image_bytes("JPEG")
PNG = image_bytes("PNG")
WEBP = image_bytes("WEBP")
GIF = image_bytes("GIF")
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
    """Is an upload's type taken from its bytes, the picture stored on disk as written again, and given back to
    its owner as stored?"""
    response = upload(client, demo.headers("resident"), data, name, declared)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    stored = (Path(app.config["UPLOAD_DIR"]) / body["id"][:2] / body["id"]).read_bytes()
    assert body["content_type"] == expected and body["size"] == len(stored)
    assert len(body["id"]) == 32 and body["url"] == f"/api/v1/attachments/{body['id']}"
    assert Image.open(BytesIO(stored)).size == (8, 6)
    fetched = client.get(body["url"], headers=demo.headers("resident"))
    assert fetched.status_code == 200 and fetched.data == stored and fetched.mimetype == expected


@pytest.mark.parametrize(("data", "name", "declared"), [
    (GIF, "a.gif", "image/gif"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "a.svg", "image/svg+xml"),
    (b"%PDF-1.4 hello", "a.jpg", "image/jpeg"),  # a PDF dressed as a photo
    (b"<html><script>alert(1)</script></html>", "a.png", "image/png"),
    (b"\xff\xd8", "short.jpg", "image/jpeg"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + os.urandom(4000), "random.jpg", "image/jpeg"),  # a JPEG header, no picture
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(4000), "random.png", "image/png"),
    (b"RIFF\x24\x00\x00\x00WEBPVP8 " + os.urandom(4000), "random.webp", "image/webp"),
    (JPEG[: len(JPEG) // 2], "cut.jpg", "image/jpeg"),  # a picture cut short
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
    exactly = JPEG + b"\x00" * (5 * MB - len(JPEG))  # a picture followed by padding: decoded, written again
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


# --- issue 14: re-encoding, limits, quota, headers, clean-up ------------------------------------

def photo_with_gps(kind: str = "JPEG", size=(64, 48)) -> bytes:
    """A picture whose EXIF holds a camera, a GPS position (a resident's home) and an orientation."""
    exif = Image.Exif()
    exif[0x010F] = "HomeCam"  # Make
    exif[0x0112] = 6  # Orientation: rotated 90°: the stored picture is turned upright instead
    exif[0x8825] = {1: "N", 2: (30.0, 15.0, 7.5), 3: "E", 4: (120.0, 9.0, 3.25)}  # GPSInfo
    out = BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, kind, exif=exif.tobytes())
    return out.getvalue()


@pytest.mark.parametrize("kind", ["JPEG", "PNG", "WEBP"])
def test_uploads_are_written_again_without_metadata(demo, client, kind):
    """Is an uploaded picture's EXIF (the GPS position of a home, the camera) gone from what is stored and served,
    the picture turned upright by its orientation first?"""
    data = photo_with_gps(kind)
    assert b"HomeCam" in data and Image.open(BytesIO(data)).getexif().get_ifd(0x8825)
    body = upload(client, demo.headers("resident"), data, f"home.{kind.lower()}").get_json()
    served = client.get(body["url"], headers=demo.headers("resident")).data
    image = Image.open(BytesIO(served))
    assert image.format == kind and not image.getexif() and "exif" not in image.info
    assert b"HomeCam" not in served and b"Exif" not in served
    assert image.size == (48, 64)  # upright


@pytest.mark.parametrize(("size", "scaled"), [((4000, 3000), (2560, 1920)), ((1000, 6000), (427, 2560)),
                                              ((2560, 100), (2560, 100))])
def test_the_longest_side_is_at_most_2560(demo, client, size, scaled):
    """Is a large picture scaled down so its longest side is 2560 px, keeping its proportions?"""
    body = upload(client, demo.headers("resident"), image_bytes("JPEG", size=size, quality=60)).get_json()
    served = client.get(body["url"], headers=demo.headers("resident")).data
    assert Image.open(BytesIO(served)).size == scaled


def test_downloads_are_private_and_not_sniffed(demo, client):
    """Does a photo come with Cache-Control: private (never public) and X-Content-Type-Options: nosniff?"""
    body = upload(client, demo.headers("resident"), JPEG).get_json()
    response = client.get(body["url"], headers=demo.headers("resident"))
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "private" in response.cache_control and not response.cache_control.public


def test_uploads_are_limited_per_user(demo, make_limited_app):
    """Is a user's 4th upload in the hour (3 here, 30 by default) a 429 with Retry-After, while others may upload?"""
    client = make_limited_app(RATELIMIT_UPLOAD="3 per hour").test_client()
    codes = [upload(client, demo.headers("resident"), PNG).status_code for _ in range(4)]
    assert codes == [201, 201, 201, 429]
    refused = upload(client, demo.headers("resident"), PNG)
    assert refused.get_json()["code"] == "rate_limited" and 1 <= int(refused.headers["Retry-After"]) <= 3600
    assert upload(client, demo.headers("resident2"), PNG).status_code == 201


def test_what_a_user_stores_is_limited_by_the_quota(demo, make_limited_app, app):
    """Once a user keeps UPLOAD_QUOTA_MB of pictures, is the next upload a 429 rate_limited (nothing stored),
    while another user may still upload?"""
    noisy = BytesIO()  # a flat picture compresses to nothing: noise keeps its size (about 120 kB)
    Image.frombytes("RGB", (200, 200), os.urandom(200 * 200 * 3)).save(noisy, "PNG")
    noisy = noisy.getvalue()
    client = make_limited_app(UPLOAD_QUOTA_MB=0.25).test_client()  # room for two of them, not three
    codes = [upload(client, demo.headers("resident"), noisy, "noise.png").status_code for _ in range(3)]
    assert codes == [201, 201, 429]
    refused = upload(client, demo.headers("resident"), noisy, "noise.png")
    assert refused.get_json()["code"] == "rate_limited" and "0.25 MB" in refused.get_json()["message"]
    assert int(refused.headers["Retry-After"]) == 24 * 3600
    assert len([p for p in Path(app.config["UPLOAD_DIR"]).rglob("*") if p.is_file()]) == 2
    assert upload(client, demo.headers("resident2"), noisy, "noise.png").status_code == 201


def test_uploads_nothing_refers_to_are_deleted_after_24_hours(demo, client, app):
    """Does `flask prune-uploads` (and the worker) delete, after 24 h, the uploads no order and no reward refers
    to, files and rows, and keep order photos, result photos and reward photos?"""
    from datetime import timedelta

    from app import clock
    from app.attachments.models import Attachment
    from app.extensions import db
    from app.supervision import worker

    start = clock.now()
    clock.freeze(start)
    try:
        loose = upload(client, demo.headers("resident"), JPEG).get_json()["id"]
        on_order = upload(client, demo.headers("resident"), JPEG).get_json()["id"]
        demo.create_order(photos=[on_order])
        reward_photo = upload(client, demo.headers("staff_sy"), PNG).get_json()["id"]
        response = client.post("/api/v1/rewards", headers=demo.headers("staff_sy"),
                               json={"area_id": demo.sy, "name": "洗衣液", "points": 30, "stock": 5,
                                     "photo": reward_photo})
        assert response.status_code == 201, response.get_json()
        clock.freeze(start + timedelta(hours=23))
        recent = upload(client, demo.headers("resident"), JPEG).get_json()["id"]
        result = app.test_cli_runner().invoke(args=["prune-uploads"])
        assert result.exit_code == 0 and "uploads deleted: 0" in result.output

        clock.freeze(start + timedelta(hours=24, minutes=1))
        result = app.test_cli_runner().invoke(args=["prune-uploads"])
        assert result.exit_code == 0 and "uploads deleted: 1" in result.output
        with app.app_context():
            assert set(db.session.scalars(db.select(Attachment.id))) == {on_order, reward_photo, recent}
        files = {p.name for p in Path(app.config["UPLOAD_DIR"]).rglob("*") if p.is_file()}
        assert files == {on_order, reward_photo, recent}
        assert client.get(f"/api/v1/attachments/{loose}", headers=demo.headers("resident")).status_code == 404

        clock.freeze(start + timedelta(hours=48))  # the worker does it too, at start and then daily
        with app.app_context():
            worker.prune_when_due(0.0)
            assert set(db.session.scalars(db.select(Attachment.id))) == {on_order, reward_photo}
    finally:
        clock.freeze(None)


def test_a_chunked_upload_is_read_like_any_other(demo, client):
    """Is a multipart upload sent chunked (no Content-Length) stored like one with it, and one over 6 MB a 413?"""
    def chunked(data: bytes):
        boundary = "----sqwd-test"
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\n"
                "Content-Type: image/jpeg\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
        return client.post("/api/v1/attachments", input_stream=BytesIO(body),
                           headers={**demo.headers("resident"), "Transfer-Encoding": "chunked",
                                    "Content-Type": f"multipart/form-data; boundary={boundary}"},
                           environ_overrides={"wsgi.input_terminated": True})

    stored = chunked(JPEG)
    assert stored.status_code == 201, stored.get_json()
    assert stored.get_json()["content_type"] == "image/jpeg"
    assert chunked(JPEG + b"\x00" * (6 * MB)).status_code == 413


@pytest.mark.parametrize(("mode", "kind"), [("I;16", "PNG"), ("CMYK", "JPEG"), ("P", "PNG"), ("LA", "PNG"),
                                            ("1", "JPEG"), ("RGBA", "WEBP"), ("L", "WEBP")])
def test_pictures_of_every_mode_are_written_again(demo, client, mode, kind):
    """Are 16-bit, CMYK, palette, grey and transparent pictures stored (converted where the format needs it),
    never a 500?"""
    data = BytesIO()
    Image.new(mode, (5, 4)).save(data, kind)
    response = upload(client, demo.headers("resident"), data.getvalue(), f"a.{kind.lower()}")
    assert response.status_code == 201, response.get_json()
    served = client.get(response.get_json()["url"], headers=demo.headers("resident")).data
    assert Image.open(BytesIO(served)).format == kind
