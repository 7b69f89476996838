"""marshmallow's validators with their messages in Chinese (marshmallow's own classes stay as shipped)."""
from marshmallow import validate as ma


class Length(ma.Length):
    message_min = "长度不能少于 {min}"
    message_max = "长度不能超过 {max}"
    message_all = "长度应在 {min} 到 {max} 之间"
    message_equal = "长度应为 {equal}"


class Range(ma.Range):
    message_min = "应{min_op} {{min}}"
    message_max = "应{max_op} {{max}}"
    message_all = "应{min_op} {{min}} 且{max_op} {{max}}"
    message_gte, message_gt, message_lte, message_lt = "大于等于", "大于", "小于等于", "小于"


class OneOf(ma.OneOf):
    default_message = "取值应为以下之一：{choices}"


class Regexp(ma.Regexp):
    default_message = "格式不正确"
