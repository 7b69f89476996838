"""Schemas of service records and certificates, and the minutes field the order and call bodies share."""

from app.schema import ListArgs, Schema, fields, page_schema, validate

MIN_MINUTES, MAX_MINUTES = 1, 720  # one service: a minute to twelve hours


def Minutes(**kwargs) -> fields.Integer:
    """Minutes of one service, 1–720 (a whole number)."""
    return fields.Integer(strict=True, validate=validate.Range(min=MIN_MINUTES, max=MAX_MINUTES,
                                                               error="服务时长应为 1 到 720 分钟"), **kwargs)


PERIOD_HELP = "YYYY-MM-DD (Asia/Shanghai) or an ISO datetime; `to` is exclusive"


class RecordArgs(ListArgs):
    from_ = fields.String(data_key="from", metadata={"description": PERIOD_HELP + "; default: the first service"})
    to = fields.String(metadata={"description": PERIOD_HELP + "; default: now"})


class RecordItemSchema(Schema):
    kind = fields.String(metadata={"description": "order (点单服务) or call (吹哨、志愿活动)"})
    id = fields.Integer(metadata={"description": "the order's or the call's id"})
    title = fields.String()
    date = fields.String(metadata={"description": "YYYY-MM-DD (Asia/Shanghai) of the service"})
    served_at = fields.DateTime()
    minutes = fields.Integer()
    stars = fields.Integer(allow_none=True, metadata={"description": "the requester's rating (orders)"})


class ServiceRecordSchema(Schema):
    user_id = fields.Integer()
    name = fields.String()
    from_ = fields.DateTime(data_key="from", attribute="from", allow_none=True)
    to = fields.DateTime(allow_none=True)
    total_minutes = fields.Integer()
    total_hours = fields.Float(metadata={"description": "total_minutes / 60, two decimals"})
    services = fields.Integer(metadata={"description": "orders served in the period"})
    calls = fields.Integer(metadata={"description": "calls and activities attended (confirmed by staff)"})
    avg_stars = fields.Float(allow_none=True)
    items = fields.List(fields.Nested(RecordItemSchema), metadata={"description": "newest first, one page"})
    next_cursor = fields.String(allow_none=True)


class HoursExportArgs(Schema):
    area_id = fields.Integer(metadata={"description": "an area in my scope (default: my whole scope)"})
    from_ = fields.String(data_key="from", metadata={"description": PERIOD_HELP + "; default: this month"})
    to = fields.String(metadata={"description": PERIOD_HELP})
    format = fields.String(load_default="xlsx", validate=validate.OneOf(["xlsx", "csv"]))


class CertificateCreateSchema(Schema):
    from_ = fields.String(data_key="from", validate=validate.Length(max=40),
                          metadata={"description": PERIOD_HELP + "; default: the first service"})
    to = fields.String(validate=validate.Length(max=40), metadata={"description": PERIOD_HELP + "; default: now"})


class CertificateSchema(Schema):
    code = fields.String(metadata={"description": "verification code (核验码)"})
    pdf_url = fields.String()
    verify_url = fields.String(metadata={"description": "public page for checking the certificate"})
    from_ = fields.DateTime(data_key="from", attribute="from")
    to = fields.DateTime()
    total_minutes = fields.Integer()
    services = fields.Integer()
    calls = fields.Integer()
    issued_at = fields.DateTime()


CertificatePageSchema = page_schema(CertificateSchema, "ServiceCertificatePage")


class VerificationSchema(Schema):
    code = fields.String()
    valid = fields.Boolean()
    name_masked = fields.String(metadata={"description": "the volunteer's name, masked: 张*明"})
    total_minutes = fields.Integer()
    total_hours = fields.Float()
    services = fields.Integer()
    calls = fields.Integer()
    from_ = fields.DateTime(data_key="from", attribute="from")
    to = fields.DateTime(metadata={"description": "exclusive"})
    issued_at = fields.DateTime()
    issuer = fields.String()
