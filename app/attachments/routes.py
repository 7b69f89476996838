"""/attachments: photo upload and download."""
from flask import send_file
from flask_smorest import Blueprint

from app.attachments import service
from app.auth import current_viewer
from app.schema import Schema, fields

blp = Blueprint("attachments", __name__, description="图片上传")


class UploadSchema(Schema):
    file = fields.Raw(metadata={"type": "string", "format": "binary"})


class AttachmentSchema(Schema):
    id = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    url = fields.Function(lambda a: f"/api/v1/attachments/{a.id}")
    created_at = fields.DateTime()


@blp.route("/attachments", methods=["POST"])
@blp.arguments(UploadSchema, location="files")
@blp.response(201, AttachmentSchema)
def upload(files):
    """Upload a photo (multipart field `file`; JPG, PNG or WEBP, at most 5 MB); it is stored re-encoded, at
    most 2560 px on its longest side, without metadata (EXIF, GPS). 30 an hour and UPLOAD_QUOTA_MB per user."""
    return service.save_upload(current_viewer(), files.get("file"))


@blp.route("/attachments/<attachment_id>", methods=["GET"])
@blp.response(200, content_type="image/*", description="the image")
def download(attachment_id):
    """A photo, for its uploader and those who may see its order."""
    attachment = service.readable_attachment(current_viewer(), attachment_id)
    response = send_file(service.storage_path(attachment.id), mimetype=attachment.content_type, max_age=3600)
    # A resident's photo may be kept by the phone or browser, never by a shared cache (send_file says public).
    response.cache_control.public = False
    response.cache_control.private = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
