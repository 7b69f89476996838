"""The app's marshmallow fields: marshmallow's and webargs' own, with messages in Chinese, and integers bounded to
the database's INTEGER. Schemas use these (`from app.schema import fields`), never marshmallow's classes, which
stay as marshmallow ships them (no global patch; tests/test_errors.py checks)."""
from marshmallow import fields as ma
from webargs import fields as webargs

MESSAGES = {
    ma.Field: {"required": "此项为必填项", "null": "此项不能为空", "validator_failed": "取值无效"},
    ma.Nested: {"type": "数据格式不正确"},
    ma.List: {"invalid": "应为列表"},
    ma.String: {"invalid": "应为文本", "invalid_utf8": "文本编码无效"},
    ma.Number: {"invalid": "应为数字", "too_large": "数字过大"},
    ma.Integer: {"invalid": "应为整数"},
    ma.Float: {"special": "不允许特殊数值"},
    ma.Boolean: {"invalid": "应为是或否"},
    ma.DateTime: {"invalid": "时间格式不正确", "invalid_awareness": "时间格式不正确", "format": "时间格式不正确"},
    ma.Date: {"invalid": "日期格式不正确，应为 YYYY-MM-DD", "format": "日期格式不正确"},
    ma.Dict: {"invalid": "应为对象"},
    ma.Email: {"invalid": "邮箱格式不正确"},
    ma.URL: {"invalid": "网址格式不正确"},
}


def _localised(cls: type) -> type:
    """`cls` with the Chinese messages of it and its ancestors (a class's own English message still overrides
    its ancestors' Chinese one, as marshmallow merges them: webargs' DelimitedList keeps its `invalid`)."""
    messages = {}
    for ancestor in reversed(cls.__mro__):
        messages.update(vars(ancestor).get("default_error_messages", {}))
        messages.update(MESSAGES.get(ancestor, {}))
    return type(cls.__name__, (cls,), {"default_error_messages": messages, "__module__": __name__,
                                       "__doc__": cls.__doc__})


Field, Raw, Function, Nested, List, String, Number, Float, Boolean = map(_localised, (
    ma.Field, ma.Raw, ma.Function, ma.Nested, ma.List, ma.String, ma.Number, ma.Float, ma.Boolean))
DateTime, AwareDateTime, Date, Dict, Email, URL = map(_localised, (
    ma.DateTime, ma.AwareDateTime, ma.Date, ma.Dict, ma.Email, ma.URL))
DelimitedList = _localised(webargs.DelimitedList)
INT32 = 2**31


class Integer(_localised(ma.Integer)):
    """An integer within the database's INTEGER (32 bits): beyond it a 422 (数字过大), never a 500 from
    PostgreSQL's "integer out of range" or SQLite's overflow; no id, count or amount here goes beyond it."""

    def _validated(self, value):
        number = super()._validated(value)
        if number is not None and not -INT32 <= number < INT32:
            raise self.make_error("too_large", input=value)
        return number
