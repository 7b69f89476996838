"""The WeChat gateway: the only code in the project that talks to WeChat.

Every call goes through wechatpy's ``WeChatClient`` (its HTTP session, URL building, result decoding
and error handling) against a configurable API host, with a timeout on every request. WeChat's
failures are mapped to the small exception family below so callers never see wechatpy or requests.

Error mapping:

- 40029, 40163 (invalid / used login or phone code) -> ``InvalidCode``
- 45009, 45011 (daily quota / per-minute rate limit) -> ``WeChatRateLimited``
- connection error, timeout, any HTTP error status, a body that is not JSON -> ``WeChatUnavailable``
- subscribe-message send only, failures that retrying the same message cannot fix -> ``SubscriptionRefused``:
  43101 (user has no subscription left or refused), 43107 (sending banned for the app or template),
  40003 (openid unknown to this app), 40037 (bad template_id), 41030 (bad page),
  45168 (sensitive words), 47003 (data does not fit the template's rules)
- anything else nonzero (including -1 "system busy" and 40226 "high risk user") -> ``WeChatError``

Neither the app secret nor a ``session_key`` ever appears in an exception or a log line: requests'
own exception messages carry the request URL (whose query holds the secret), so they are not chained.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import requests
from flask import Flask, current_app
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session import SessionStorage
from wechatpy.session.memorystorage import MemoryStorage
from wechatpy.session.redisstorage import RedisStorage

log = logging.getLogger(__name__)

OFFICIAL_API_BASE_URL = "https://api.weixin.qq.com/"
REDIS_PREFIX = "sqwd:wechat"
MINIPROGRAM_STATES = frozenset({"developer", "trial", "formal"})

TOKEN_REJECTED = frozenset({40001, 40014, 42001})
INVALID_CODE_ERRORS = frozenset({40029, 40163})
RATE_LIMIT_ERRORS = frozenset({45009, 45011})
SUBSCRIPTION_REFUSED_ERRORS = frozenset({40003, 40037, 41030, 43101, 43107, 45168, 47003})
RISKY_CONTENT = 87014
# Failures caused by users rather than by us or WeChat: logged at INFO, not WARNING.
ROUTINE_ERRORS = INVALID_CODE_ERRORS | {43101}

# Demo words that DevGateway.check_text treats as risky.
DEV_RISKY_WORDS = ("违禁测试", "赌博测试", "诈骗测试")


class WeChatError(Exception):
    """WeChat refused or failed a call; ``errcode`` is WeChat's code (None when it never answered)."""

    def __init__(self, errcode: int | None, errmsg: str = "") -> None:
        super().__init__(errcode, errmsg)
        self.errcode = errcode
        self.errmsg = errmsg

    def __str__(self) -> str:
        return f"WeChat error {self.errcode}: {self.errmsg}"


class InvalidCode(WeChatError):
    """The login or phone-number code is invalid, expired or already used."""


class WeChatRateLimited(WeChatError):
    """WeChat's own rate limit or daily quota was hit."""


class WeChatUnavailable(WeChatError):
    """WeChat could not be reached or gave no usable answer (network, timeout, HTTP error, not JSON)."""


class SubscriptionRefused(WeChatError):
    """A subscribe message can never be delivered as sent; retrying will not help."""


@dataclass(frozen=True)
class WxSession:
    """The result of code2session; ``session_key`` is kept out of the repr."""

    openid: str
    session_key: str = field(repr=False)
    unionid: str | None = None


class Gateway(Protocol):
    """What the rest of the app may ask of WeChat."""

    def code2session(self, code: str) -> WxSession: ...

    def phone_number(self, code: str) -> str: ...

    def send_subscribe_message(
        self, openid: str, template_id: str, data: Mapping[str, Any], page: str | None = None
    ) -> None: ...

    def check_text(self, text: str, openid: str, scene: int = 2) -> str: ...


class _TimeoutSession(requests.Session):
    """A requests session that applies a default timeout to every request, token fetches included."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.default_timeout = timeout

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.default_timeout
        return super().request(method, url, *args, **kwargs)


class _Client(WeChatClient):
    """wechatpy's client pointed at a configurable API host (the real one or the fake in tests)."""

    def __init__(self, appid: str, secret: str, api_base_url: str, timeout: float,
                 session: SessionStorage) -> None:
        # wechatpy's auto_retry re-fetches the token on 40001/42001 but recurses without limit while
        # WeChat keeps rejecting it; the gateway does a single refresh-and-retry instead.
        super().__init__(appid, secret, session=session, timeout=timeout, auto_retry=False)
        self.API_BASE_URL = api_base_url
        self._http = _TimeoutSession(timeout)

    def fetch_access_token(self) -> dict:
        return self._fetch_access_token(
            url=f"{self.API_BASE_URL}cgi-bin/token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )


class WeChatGateway:
    """Mini-program server APIs through wechatpy, with WeChat's errors mapped to ``WeChatError``."""

    def __init__(
        self,
        app_id: str,
        app_secret: str,
        api_base_url: str = OFFICIAL_API_BASE_URL,
        timeout: float = 5.0,
        redis_url: str | None = None,
        miniprogram_state: str = "formal",
        lang: str = "zh_CN",
    ) -> None:
        if not app_id or not app_secret:
            raise ValueError("WeChatGateway needs both an app id and an app secret")
        if miniprogram_state not in MINIPROGRAM_STATES:
            raise ValueError(f"miniprogram_state must be one of {sorted(MINIPROGRAM_STATES)}")
        self.miniprogram_state = miniprogram_state
        self.lang = lang
        storage: SessionStorage
        if redis_url:
            import redis

            from redis.backoff import ExponentialBackoff
            from redis.retry import Retry

            # A pooled connection to a Redis that restarted meanwhile fails on first use: try again on a new
            # one (make cluster-drill restarts Redis under load) rather than fail the request.
            client = redis.Redis.from_url(redis_url, retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), 3),
                                          retry_on_error=[redis.exceptions.ConnectionError,
                                                          redis.exceptions.TimeoutError])
            storage = RedisStorage(client, prefix=REDIS_PREFIX)
        else:
            storage = MemoryStorage()
        base = api_base_url if api_base_url.endswith("/") else api_base_url + "/"
        self._client = _Client(app_id, app_secret, base, float(timeout), storage)

    def __repr__(self) -> str:
        return f"WeChatGateway(app_id={self._client.appid!r}, api_base_url={self._client.API_BASE_URL!r})"

    def code2session(self, code: str) -> WxSession:
        """Exchanges a wx.login code for the user's openid; needs no access token."""
        client = self._client
        # A list of pairs (not a dict) keeps wechatpy from adding an access_token to the query.
        params = [("appid", client.appid), ("secret", client.secret),
                  ("js_code", code), ("grant_type", "authorization_code")]
        result = self._call("sns/jscode2session", lambda: client.get("sns/jscode2session", params=params),
                            refresh_token=False)
        if not result.get("openid") or not result.get("session_key"):
            raise WeChatUnavailable(None, "jscode2session answered without openid or session_key")
        return WxSession(openid=result["openid"], session_key=result["session_key"],
                         unionid=result.get("unionid") or None)

    def phone_number(self, code: str) -> str:
        """Returns the phone number (without country code) behind a getPhoneNumber code."""
        path = "wxa/business/getuserphonenumber"
        result = self._call(path, lambda: self._client.post(path, data={"code": code}))
        phone = (result.get("phone_info") or {}).get("purePhoneNumber")
        if not phone:
            raise WeChatUnavailable(None, "getuserphonenumber answered without phone_info")
        return phone

    def send_subscribe_message(
        self, openid: str, template_id: str, data: Mapping[str, Any], page: str | None = None
    ) -> None:
        """Sends a subscribe message; ``data`` is ``{"thing1": "text"}``, wrapped into WeChat's shape."""
        payload: dict[str, Any] = {
            "touser": openid,
            "template_id": template_id,
            "data": {key: {"value": str(value)} for key, value in data.items()},
            "miniprogram_state": self.miniprogram_state,
            "lang": self.lang,
        }
        if page:
            payload["page"] = page
        path = "cgi-bin/message/subscribe/send"
        self._call(path, lambda: self._client.post(path, data=payload),
                   overrides={code: SubscriptionRefused for code in SUBSCRIPTION_REFUSED_ERRORS})

    def check_text(self, text: str, openid: str, scene: int = 2) -> str:
        """Checks user text with msg_sec_check v2; returns "pass", "review" or "risky"."""
        path = "wxa/msg_sec_check"
        payload = {"content": text, "version": 2, "scene": scene, "openid": openid}
        try:
            result = self._call(path, lambda: self._client.post(path, data=payload))
        except WeChatError as exc:
            if exc.errcode == RISKY_CONTENT:  # the v1 answer, should WeChat ever give it
                return "risky"
            raise
        suggest = (result.get("result") or {}).get("suggest")
        if suggest not in {"pass", "review", "risky"}:
            raise WeChatUnavailable(None, "msg_sec_check answered without result.suggest")
        return suggest

    def _call(
        self,
        path: str,
        request: Callable[[], Any],
        refresh_token: bool = True,
        overrides: Mapping[int, type[WeChatError]] | None = None,
    ) -> dict:
        """Runs one wechatpy request, refreshing a rejected access token once, and maps failures."""
        try:
            try:
                result = request()
            except WeChatClientException as exc:
                if not refresh_token or exc.errcode not in TOKEN_REJECTED:
                    raise
                log.info("WeChat rejected the access token (%s) on %s; fetching a new one", exc.errcode, path)
                self._client.fetch_access_token()
                result = request()
        except WeChatClientException as exc:
            error = _map_error(exc, overrides or {})
        except requests.RequestException as exc:
            error = WeChatUnavailable(None, f"{path}: {type(exc).__name__}")
        else:
            if isinstance(result, dict):
                return result
            error = WeChatUnavailable(None, f"{path}: the answer is not JSON")
        level = logging.INFO if error.errcode in ROUTINE_ERRORS else logging.WARNING
        log.log(level, "WeChat call %s failed: %s", path, error)
        raise error


def _map_error(exc: WeChatClientException, overrides: Mapping[int, type[WeChatError]]) -> WeChatError:
    """Turns a wechatpy exception into ours, without the request (whose URL may hold the secret)."""
    if exc.errcode is None:
        status = exc.response.status_code if exc.response is not None else "?"
        return WeChatUnavailable(None, f"HTTP {status}")
    errcode = int(exc.errcode)
    errmsg = str(exc.errmsg)
    if errcode in overrides:
        return overrides[errcode](errcode, errmsg)
    if errcode in INVALID_CODE_ERRORS:
        return InvalidCode(errcode, errmsg)
    if errcode in RATE_LIMIT_ERRORS:
        return WeChatRateLimited(errcode, errmsg)
    return WeChatError(errcode, errmsg)


class DevGateway:
    """Stands in for WeChat in dev mode (no WECHAT_APP_ID): deterministic, never any network."""

    _DEV_CODE = re.compile(r"dev:(\S{1,64})")
    _DEV_PHONE = re.compile(r"dev:(1\d{10})")

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def __repr__(self) -> str:
        return "DevGateway()"

    def code2session(self, code: str) -> WxSession:
        """``dev:<openid>`` logs in as that openid; any other code is invalid."""
        match = self._DEV_CODE.fullmatch(code or "")
        if not match:
            raise InvalidCode(40029, "invalid code (dev mode expects dev:<openid>)")
        return WxSession(openid=match.group(1), session_key="dev-session", unionid=None)

    def phone_number(self, code: str) -> str:
        """``dev:<11-digit mobile number>`` yields that number; any other code is invalid."""
        match = self._DEV_PHONE.fullmatch(code or "")
        if not match:
            raise InvalidCode(40029, "invalid code (dev mode expects dev:<11-digit phone>)")
        return match.group(1)

    def send_subscribe_message(
        self, openid: str, template_id: str, data: Mapping[str, Any], page: str | None = None
    ) -> None:
        """Records the message in ``self.sent`` instead of sending it."""
        self.sent.append({"openid": openid, "template_id": template_id, "data": dict(data), "page": page})
        log.info("dev mode: subscribe message %s to %s (page %s)", template_id, openid, page)

    def check_text(self, text: str, openid: str, scene: int = 2) -> str:
        """"risky" when the text holds a demo bad word, else "pass"."""
        return "risky" if any(word in text for word in DEV_RISKY_WORDS) else "pass"


class _RedactQuerySecrets(logging.Filter):
    """urllib3 logs each request's URL at DEBUG; WeChat wants the app secret and tokens in the query."""

    _SECRET_PARAM = re.compile(r"\b(secret|access_token|js_code)=[^&\s\"]+")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self._SECRET_PARAM.sub(r"\1=***", message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def _redact_http_logs() -> None:
    http_log = logging.getLogger("urllib3.connectionpool")
    if not any(isinstance(existing, _RedactQuerySecrets) for existing in http_log.filters):
        http_log.addFilter(_RedactQuerySecrets())


def init_app(app: Flask) -> None:
    """Builds the gateway from the app's config and stores it in ``app.extensions["wechat"]``."""
    config = app.config
    _redact_http_logs()
    gw: Gateway
    if not config.get("WECHAT_APP_ID"):
        gw = DevGateway()
    else:
        gw = WeChatGateway(
            app_id=config["WECHAT_APP_ID"],
            app_secret=config.get("WECHAT_APP_SECRET") or "",
            api_base_url=config.get("WECHAT_API_BASE_URL") or OFFICIAL_API_BASE_URL,
            timeout=float(config.get("WECHAT_TIMEOUT") or 5),
            redis_url=config.get("REDIS_URL") or None,
            miniprogram_state=config.get("WECHAT_MINIPROGRAM_STATE") or "formal",
        )
    app.extensions["wechat"] = gw


def gateway() -> Gateway:
    """The current app's WeChat gateway."""
    return current_app.extensions["wechat"]
