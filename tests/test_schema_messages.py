"""Validation messages in Chinese come from the app's own Schema, fields and validators (app/schema), not from
patching marshmallow or webargs: their classes stay as shipped once the app is imported."""
import marshmallow
import webargs.fields
from marshmallow import validate as ma_validate

from app import create_app  # noqa: F401  (everything the app imports, as in production)
from app.schema import Id, Schema, Text, fields, validate


def test_marshmallow_and_webargs_are_left_as_shipped():
    """After the app's imports, do marshmallow's own fields, schemas and validators keep their English messages
    and their own methods?"""
    assert marshmallow.fields.Integer._validated.__module__ == "marshmallow.fields"
    assert "Integer._validated" == marshmallow.fields.Integer._validated.__qualname__
    assert marshmallow.fields.Field.default_error_messages["required"] == "Missing data for required field."
    assert marshmallow.fields.Integer.default_error_messages == {"invalid": "Not a valid integer."}
    assert marshmallow.fields.String.default_error_messages["invalid"] == "Not a valid string."
    assert marshmallow.Schema._default_error_messages == {"type": "Invalid input type.", "unknown": "Unknown field."}
    assert ma_validate.Length.message_min == "Shorter than minimum length {min}."
    assert ma_validate.Range.message_gte == "greater than or equal to"
    assert ma_validate.OneOf.default_message == "Must be one of: {choices}."
    assert webargs.fields.DelimitedList.default_error_messages == {"invalid": "Not a valid delimited list."}

    class Plain(marshmallow.Schema):
        number = marshmallow.fields.Integer(required=True)

    assert Plain().validate({"number": 2**40, "other": 1}) == {"other": ["Unknown field."]}
    assert Plain().validate({}) == {"number": ["Missing data for required field."]}


class Inner(Schema):
    x = fields.Integer(required=True)


class Probe(Schema):
    s = fields.String()
    i = fields.Integer()
    f = fields.Float()
    b = fields.Boolean()
    dt = fields.DateTime()
    adt = fields.AwareDateTime()
    d = fields.Date()
    dct = fields.Dict()
    lst = fields.List(fields.Integer())
    n = fields.Nested(Inner)
    nl = fields.List(fields.Nested(Inner))
    e = fields.Email()
    u = fields.URL()
    req = fields.Integer(required=True)
    nn = fields.String()
    dl = fields.DelimitedList(fields.Integer())
    ln = fields.String(validate=validate.Length(min=2, max=3))
    lmin = fields.String(validate=validate.Length(min=2))
    lmax = fields.String(validate=validate.Length(max=1))
    leq = fields.String(validate=validate.Length(equal=2))
    rg = fields.Integer(validate=validate.Range(min=1, max=5))
    rmin = fields.Integer(validate=validate.Range(min=1))
    rmax = fields.Float(validate=validate.Range(max=1, max_inclusive=False))
    one = fields.String(validate=validate.OneOf(["a", "b"]))
    rx = fields.String(validate=validate.Regexp("^a$"))
    big = fields.Integer()
    neg = fields.Integer()
    ident = Id()
    half = Id()
    t = Text(3, min_length=2)
    inf = fields.Float()


def errors(body) -> dict:
    """{"field.path": "message / message"} of Probe's errors for this body."""
    def flat(messages, prefix=""):
        if isinstance(messages, dict):
            return {key: value for name, inner in messages.items() for key, value in flat(inner, f"{prefix}{name}.")
                    .items()}
        return {prefix[:-1]: " / ".join(messages)}

    return flat(Probe().validate(body))


def test_the_messages_of_every_field_and_validator():
    """Does each field and validator give the Chinese message the 422 answers have always carried (and the
    database's INTEGER bound hold for every integer)?"""
    assert errors({
        "s": 1, "i": "x", "f": "x", "b": "x", "dt": "x", "adt": "2020-01-01T00:00:00", "d": "x", "dct": 1, "lst": 1,
        "n": 1, "nl": [1, {"y": 1}], "e": "x", "u": "x", "nn": None, "dl": "a,b", "ln": "abcd", "lmin": "a",
        "lmax": "ab", "leq": "a", "rg": 9, "rmin": 0, "rmax": 2, "one": "c", "rx": "b", "big": 2**31,
        "neg": -2**31 - 1, "ident": 0, "half": 7.5, "t": " a ", "inf": "nan", "zz": 1}) == {
        "adt": "时间格式不正确", "b": "应为是或否", "big": "数字过大", "d": "日期格式不正确，应为 YYYY-MM-DD",
        "dct": "应为对象", "dl.0": "应为整数", "dl.1": "应为整数", "dt": "时间格式不正确", "e": "邮箱格式不正确",
        "f": "应为数字", "half": "应为整数", "i": "应为整数", "ident": "编号无效", "inf": "不允许特殊数值",
        "leq": "长度应为 2", "lmax": "长度不能超过 1", "lmin": "长度不能少于 2", "ln": "长度应在 2 到 3 之间",
        "lst": "应为列表", "n._schema": "数据格式不正确", "neg": "数字过大", "nl.0._schema": "数据格式不正确",
        "nl.1.x": "此项为必填项", "nl.1.y": "不支持的字段", "nn": "此项不能为空", "one": "取值应为以下之一：a, b",
        "req": "此项为必填项", "rg": "应大于等于 1 且小于等于 5", "rmax": "应小于 1", "rmin": "应大于等于 1",
        "rx": "格式不正确", "s": "应为文本", "t": "长度应在 2 到 3 之间", "u": "网址格式不正确", "zz": "不支持的字段"}
    assert errors({"i": 1.5, "f": True, "lst": [1, "x"], "dl": 5, "big": 2**63, "t": "a\x00b", "req": None}) == {
        "big": "数字过大", "dl": "Not a valid delimited list.", "f": "应为数字", "lst.1": "应为整数",
        "req": "此项不能为空", "t": "含有无法保存的字符"}
    assert errors([1]) == errors("x") == {"_schema": "数据格式不正确"}
