"""Photos: decoded and written again (Pillow), stored on disk, served only to those who may see them.

An upload is opened with Pillow whatever its name or declared type says: anything that is not a JPEG, PNG or
WebP image is refused (422). The picture is then written again, turned upright by its EXIF orientation,
scaled so its longest side is at most MAX_SIDE, and without any metadata (EXIF with the GPS position of a
resident's home, XMP, comments, colour profiles): the bytes kept are Pillow's, never the client's. Uploads
are limited per user (RATELIMIT_UPLOAD) and so is what a user keeps stored (UPLOAD_QUOTA_MB); the worker
deletes uploads nothing refers to (no order, no reward) after UPLOAD_ORPHAN_HOURS.
"""
import hashlib
import io
import logging
import re
import secrets
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import delete, func, or_, select, update

from app import clock, ratelimits
from app.attachments.models import Attachment
from app.auth.viewer import Viewer
from app.errors import NotFound, PayloadTooLarge, RateLimited, ValidationFailed
from app.extensions import db
from app.orders.scope import Scope
from app.rewards.service import attachment_references, reward_photo_is_public

log = logging.getLogger(__name__)

MAX_SIDE = 2560
MAX_PIXELS = 50_000_000  # a larger picture is refused before it is decoded (a "decompression bomb")
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
NOT_AN_IMAGE = "只支持 JPG、PNG、WEBP 格式的图片"
CLEANUP_BATCH = 500


def storage_path(attachment_id: str) -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / attachment_id[:2] / attachment_id


def clean_image(data: bytes) -> tuple[bytes, str]:
    """The picture written again by Pillow, upright, at most MAX_SIDE on its longest side, without metadata;
    and its content type. 422 when the bytes are not a JPEG, PNG or WebP image Pillow can read whole."""
    try:
        with Image.open(io.BytesIO(data)) as opened:
            kind = opened.format
            if kind not in FORMATS:
                raise ValidationFailed({"file": [NOT_AN_IMAGE]})
            if opened.width * opened.height > MAX_PIXELS:
                raise ValidationFailed({"file": ["图片尺寸太大"]})
            image = ImageOps.exif_transpose(opened)  # EXIF orientation applied, as it is about to be dropped
            image.load()
        return _written_again(image, kind), FORMATS[kind]
    except ValidationFailed:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError, EOFError,
            KeyError, TypeError):  # what Pillow raises for bytes it cannot make a picture of
        raise ValidationFailed({"file": [NOT_AN_IMAGE]}) from None


def _written_again(image: Image.Image, kind: str) -> bytes:
    if image.width > MAX_SIDE or image.height > MAX_SIDE:
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    # Keep only what drawing the pixels needs (a palette's transparent colour), nothing that describes them.
    image.info = {key: value for key, value in image.info.items() if key == "transparency"}
    out = io.BytesIO()
    if kind == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=85, optimize=True)
    elif kind == "PNG":
        if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
            image = image.convert("RGBA")
        image.save(out, "PNG", optimize=True)
    else:
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA" if "A" in image.mode or "transparency" in image.info else "RGB")
        image.save(out, "WEBP", quality=85)
    return out.getvalue()


def stored_bytes(user_id: int) -> int:
    return db.session.scalar(select(func.coalesce(func.sum(Attachment.size), 0)).where(Attachment.owner_id == user_id))


def _check_quota(viewer: Viewer, size: int) -> None:
    quota = int(float(current_app.config["UPLOAD_QUOTA_MB"]) * 1024 * 1024)
    if stored_bytes(viewer.id) + size > quota:
        # Unused uploads are deleted after UPLOAD_ORPHAN_HOURS: room may come back then.
        retry = int(float(current_app.config["UPLOAD_ORPHAN_HOURS"]) * 3600)
        raise RateLimited(f"您保存的图片已达 {current_app.config['UPLOAD_QUOTA_MB']:g} MB 上限，请稍后再传",
                          retry_after=retry)


def save_upload(viewer: Viewer, upload) -> Attachment:
    if upload is None or not upload.filename and not upload.content_length:
        raise ValidationFailed({"file": ["请选择要上传的图片"]})
    ratelimits.enforce("RATELIMIT_UPLOAD", "upload", str(viewer.id), "上传图片太频繁，请稍后再试")
    limit = current_app.config["MAX_ATTACHMENT_BYTES"]
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge("图片不能超过 5 MB")
    if not data:
        raise ValidationFailed({"file": ["图片是空的"]})
    data, content_type = clean_image(data)
    _check_quota(viewer, len(data))
    attachment = Attachment(id=secrets.token_hex(16), owner_id=viewer.id, content_type=content_type,
                            size=len(data), sha256=hashlib.sha256(data).hexdigest())
    path = storage_path(attachment.id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.write_bytes(data)
    tmp.replace(path)
    # The file before its row (flushed here, committed at the request's end): a row never names a missing file.
    db.session.add(attachment)
    db.session.flush()
    return attachment


def readable_attachment(viewer: Viewer, attachment_id: str) -> Attachment:
    """The uploader, anyone who may see the order it belongs to, or anyone for a reward's photo; otherwise 404."""
    if not re.fullmatch(r"[0-9a-f]{32}", attachment_id):  # ours are hex; anything else is not worth a query
        raise NotFound("找不到该图片")
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is not None and attachment.owner_id != viewer.id:
        if attachment.order_id is not None:
            if not Scope.of(viewer).sees(attachment.order_id):
                attachment = None
        elif not reward_photo_is_public(attachment.id):  # the 积分超市's photos are for every user
            attachment = None
    if attachment is None or not storage_path(attachment.id).exists():
        raise NotFound("找不到该图片")
    return attachment


def link_to_order(viewer: Viewer, order_id: int, ids: list[str]) -> None:
    """Link photos to an order (its own, its result's): they must be the viewer's own uploads, not yet used on
    another order; otherwise a field error on `photos`."""
    if not ids:
        return
    linked = db.session.execute(
        update(Attachment)
        .where(Attachment.id.in_(ids), Attachment.owner_id == viewer.id,
               or_(Attachment.order_id.is_(None), Attachment.order_id == order_id))
        .values(order_id=order_id).execution_options(synchronize_session=False)
    ).rowcount
    if linked != len(set(ids)):
        raise ValidationFailed({"photos": ["图片不存在或不属于您"]})


def delete_unreferenced(now: datetime | None = None) -> int:
    """Delete uploads older than UPLOAD_ORPHAN_HOURS that nothing refers to: no order (photos and result
    photos link their order), no reward (app.rewards.service.attachment_references). Rows first, then files."""
    cutoff = (now or clock.now()) - timedelta(hours=float(current_app.config["UPLOAD_ORPHAN_HOURS"]))
    unreferenced = (Attachment.order_id.is_(None), Attachment.created_at < cutoff,
                    Attachment.id.not_in(attachment_references().scalar_subquery()))
    deleted = 0
    while True:
        batch = list(db.session.scalars(select(Attachment.id).where(*unreferenced).limit(CLEANUP_BATCH)))
        if not batch:
            break
        # The same conditions again: an upload linked to an order meanwhile stays.
        gone = list(db.session.scalars(delete(Attachment).where(Attachment.id.in_(batch), *unreferenced)
                                       .returning(Attachment.id)))
        db.session.commit()  # the worker's own, a batch at a time, and before the files go: no row names a lost file
        for attachment_id in gone:
            storage_path(attachment_id).unlink(missing_ok=True)
        deleted += len(gone)
        if len(batch) < CLEANUP_BATCH:
            break
    if deleted:
        log.info("deleted %d uploads nothing referred to for %s hours", deleted,
                 current_app.config["UPLOAD_ORPHAN_HOURS"])
    return deleted
