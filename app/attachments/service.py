"""Photos: type checked from the bytes, stored on disk, served only to those who may see them."""
import hashlib
import re
import secrets
from pathlib import Path

from flask import current_app

from app.attachments.models import Attachment
from app.auth.viewer import Viewer
from app.errors import NotFound, PayloadTooLarge, ValidationFailed
from app.extensions import db
from app.orders.scope import Scope
from app.rewards.service import reward_photo_is_public


def sniff_image_type(head: bytes) -> str | None:
    """The image type from the file's first bytes, whatever its name or declared type says."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def storage_path(attachment_id: str) -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / attachment_id[:2] / attachment_id


def save_upload(viewer: Viewer, upload) -> Attachment:
    if upload is None or not upload.filename and not upload.content_length:
        raise ValidationFailed({"file": ["请选择要上传的图片"]})
    limit = current_app.config["MAX_ATTACHMENT_BYTES"]
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge("图片不能超过 5 MB")
    if not data:
        raise ValidationFailed({"file": ["图片是空的"]})
    content_type = sniff_image_type(data[:16])
    if content_type is None:
        raise ValidationFailed({"file": ["只支持 JPG、PNG、WEBP 格式的图片"]})
    attachment = Attachment(id=secrets.token_hex(16), owner_id=viewer.id, content_type=content_type,
                            size=len(data), sha256=hashlib.sha256(data).hexdigest())
    path = storage_path(attachment.id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.write_bytes(data)
    tmp.replace(path)
    db.session.add(attachment)
    db.session.commit()
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
