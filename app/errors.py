"""One JSON error shape for every failure: {"code", "message", "errors"?}."""
import logging
import uuid

from flask import Flask, g, jsonify, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class AppError(Exception):
    """A failure the client should see, with the contract's code and a Chinese message."""

    status = 500
    code = "internal_error"
    message = "服务器内部错误，请稍后再试"

    headers: dict = {}

    def __init__(self, message: str | None = None, errors: dict | None = None, **extra):
        super().__init__(message or self.message)
        self.message = message or self.message
        self.errors = errors
        self.extra = extra

    def body(self) -> dict:
        body = {"code": self.code, "message": self.message, **self.extra}
        if self.errors:
            body["errors"] = self.errors
        return body


class BadRequest(AppError):
    status, code, message = 400, "bad_request", "请求格式不正确"


class Unauthorized(AppError):
    status, code, message = 401, "unauthorized", "请先登录"


class InvalidLoginCode(AppError):
    status, code, message = 401, "invalid_code", "登录凭证无效或已使用，请重新登录"


class Forbidden(AppError):
    status, code, message = 403, "forbidden", "您没有权限执行此操作"


class NotFound(AppError):
    status, code, message = 404, "not_found", "找不到该内容"


class Conflict(AppError):
    status, code, message = 409, "conflict", "操作冲突，请刷新后重试"


class InvalidTransition(AppError):
    status, code, message = 409, "invalid_transition", "工单当前状态不允许此操作，请刷新后查看"


class PayloadTooLarge(AppError):
    status, code, message = 413, "payload_too_large", "提交的内容太大"


class ValidationFailed(AppError):
    status, code, message = 422, "validation_error", "提交的内容有误，请检查后重试"

    def __init__(self, errors: dict | str | None = None, message: str | None = None):
        if isinstance(errors, str):
            message, errors = errors, None
        super().__init__(message, errors)


class RateLimited(AppError):
    status, code, message = 429, "rate_limited", "操作太频繁，请稍后再试"

    def __init__(self, message: str | None = None, retry_after: int | None = None, **extra):
        super().__init__(message, **extra)
        self.headers = {"Retry-After": str(retry_after)} if retry_after else {}


class WechatFailed(AppError):
    status, code, message = 502, "wechat_error", "微信服务暂时不可用，请稍后再试"


HTTP_CODES = {
    400: ("bad_request", "请求格式不正确"),
    401: ("unauthorized", "请先登录"),
    403: ("forbidden", "您没有权限执行此操作"),
    404: ("not_found", "找不到该内容"),
    405: ("method_not_allowed", "不支持该请求方法"),
    409: ("conflict", "操作冲突，请刷新后重试"),
    413: ("payload_too_large", "提交的内容太大"),
    415: ("unsupported_media_type", "不支持的内容类型"),
    422: ("validation_error", "提交的内容有误，请检查后重试"),
    429: ("rate_limited", "操作太频繁，请稍后再试"),
}


def request_id() -> str:
    """The id of this request, shared by the log and error bodies."""
    if "request_id" not in g:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if incoming.isalnum() and len(incoming) <= 64 else uuid.uuid4().hex
    return g.request_id


def _field_errors(error: HTTPException) -> dict | None:
    """Field errors that webargs/marshmallow attached to a 422, flattened over locations."""
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    if not isinstance(messages, dict):
        return None
    merged: dict = {}
    for location, errs in messages.items():
        if isinstance(errs, dict):
            merged.update(errs)
        else:
            merged[location] = errs
    return merged or None


def http_error_response(error: HTTPException):
    """Turn any werkzeug/flask-smorest HTTP error into the contract's shape."""
    status = error.code or 500
    if status >= 500:
        return _internal_error(error)
    code, message = HTTP_CODES.get(status, ("error", error.description or "请求失败"))
    body = {"code": code, "message": message}
    if status == 400:
        data = getattr(error, "data", None) or {}
        if "json" in (data.get("messages") or {}):
            body["message"] = "请求体不是有效的 JSON"
    if status == 422:
        errors = _field_errors(error)
        if errors:
            body["errors"] = errors
    if status == 404 and request.path.startswith("/api/") and request.url_rule is None:
        body["message"] = "接口不存在"
    response = jsonify(body)
    response.status_code = status
    if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def _internal_error(error: Exception):
    rid = request_id()
    log.error("internal error request_id=%s path=%s", rid, request.path, exc_info=error)
    response = jsonify({"code": "internal_error", "message": "服务器内部错误，请稍后再试", "request_id": rid})
    response.status_code = 500
    return response


def app_error_response(error: AppError):
    response = jsonify(error.body())
    response.status_code = error.status
    response.headers.update(error.headers)
    return response


def wechat_error_response(error):
    """Map the gateway's exceptions onto the contract (401 invalid_code, 429, 502)."""
    from app import wechat

    if isinstance(error, wechat.InvalidCode):
        return app_error_response(InvalidLoginCode())
    if isinstance(error, wechat.WeChatRateLimited):
        return app_error_response(RateLimited("微信接口调用太频繁，请稍后再试", errcode=error.errcode))
    return app_error_response(WechatFailed(errcode=error.errcode))


def too_deep_response(error: RecursionError):
    """json.loads gives up on absurdly nested JSON with RecursionError: that is the client's bad body."""
    if request.is_json:
        return app_error_response(BadRequest("请求体嵌套层数过多"))
    return _internal_error(error)


def register_errorhandlers(app: Flask) -> None:
    from app import wechat

    app.register_error_handler(AppError, app_error_response)
    app.register_error_handler(RecursionError, too_deep_response)
    app.register_error_handler(wechat.WeChatError, wechat_error_response)
    app.register_error_handler(HTTPException, http_error_response)
    app.register_error_handler(Exception, _internal_error)
