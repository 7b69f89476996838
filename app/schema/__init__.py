"""Shared schema pieces: the base Schema, fields and validators with Chinese messages (app/schema/fields.py,
validate.py), ids, trimmed text, list arguments and pages. Schemas import Schema, fields and validate from here."""
import base64
import binascii
import json

from marshmallow import Schema as _Schema
from marshmallow import ValidationError
from werkzeug.routing import IntegerConverter

from app.errors import ValidationFailed
from app.schema import fields, validate
from app.schema import validate as _validate


class Schema(_Schema):
    """The base of every schema here: its own messages in Chinese (its fields' are in app/schema/fields.py)."""

    error_messages = {"unknown": "不支持的字段", "type": "数据格式不正确"}


PHONE = validate.Regexp(r"^1\d{10}$", error="请填写 11 位手机号码")


def Text(max_length: int, *, required: bool = False, min_length: int | None = None, validate=None, **kwargs):
    """A trimmed string field with a length limit (and any further validators)."""
    validators = [_validate.Length(min=min_length, max=max_length)]
    if validate is not None:
        validators.append(validate)
    return TrimmedString(required=required, validate=validators, **kwargs)


class TrimmedString(fields.String):
    """A string with surrounding whitespace removed on load, refusing what no database can store."""

    default_error_messages = {"unstorable": "含有无法保存的字符"}

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs).strip()
        # PostgreSQL refuses NUL in text; a lone surrogate (JSON "\ud800") has no UTF-8 form at all.
        if "\x00" in value or not value.isascii() and not _utf8_encodable(value):
            raise self.make_error("unstorable")
        return value


def _utf8_encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# Ids are INTEGER columns (int4 on PostgreSQL); a larger number names nothing and must not reach SQL.
MAX_ID = fields.INT32 - 1


class IdField(fields.Integer):
    """An integer id: 7 or "7" (query strings), never 7.5, and within 1..MAX_ID, checked before any query."""

    def _validated(self, value):
        if isinstance(value, float) and not value.is_integer():  # marshmallow would quietly make 7.5 into 7
            raise self.make_error("invalid")
        return super()._validated(value)


def Id(**kwargs) -> IdField:
    return IdField(validate=validate.Range(min=1, max=MAX_ID, error="编号无效"), **kwargs)


class IdConverter(IntegerConverter):
    """The app's <int:…> route converter: an id beyond MAX_ID names nothing, so the view gets 0 (a 404)."""

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        return number if number <= MAX_ID else 0


class EmptySchema(Schema):
    """A body that carries nothing: no body, an empty body or {}."""


class ListArgs(Schema):
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=50))
    cursor = fields.String(load_default=None)


def page_schema(item_schema: type[Schema], name: str) -> type[Schema]:
    """The schema of one page of a keyset-paginated list."""
    return Schema.from_dict(
        {"items": fields.List(fields.Nested(item_schema)), "next_cursor": fields.String(allow_none=True)},
        name=name,
    )


def encode_cursor(values: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict | None:
    """Decode an opaque cursor; a malformed one is a 422 on `cursor`."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        key = values.get("id") if isinstance(values, dict) else None
        if type(key) is not int or not 0 < key <= MAX_ID:
            raise ValueError
        return values
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ValidationFailed({"cursor": ["分页游标无效"]}) from None


def keyset_page(rows: list, limit: int, key=lambda row: {"id": row.id}) -> dict:
    """Cut a page from `limit + 1` rows ordered by the key, newest first."""
    items = rows[:limit]
    next_cursor = encode_cursor(key(items[-1])) if len(rows) > limit and items else None
    return {"items": items, "next_cursor": next_cursor}


def raise_validation(error: ValidationError) -> None:
    raise ValidationFailed(error.normalized_messages())
