"""A fake WeChat API server for tests: real HTTP on 127.0.0.1, WeChat's response shapes and errcodes.

Endpoints (and their names for the failure controls):

- ``token``: GET /cgi-bin/token
- ``jscode2session``: GET /sns/jscode2session
- ``phone``: POST /wxa/business/getuserphonenumber
- ``subscribe_send``: POST /cgi-bin/message/subscribe/send
- ``msg_sec_check``: POST /wxa/msg_sec_check (v2 answers errcode 0 with result.suggest; v1 answers 87014)

Usage::

    with FakeWeChatServer() as fake:
        fake.add_code("c1", "openid-1")
        gateway = WeChatGateway(fake.app_id, fake.app_secret, api_base_url=fake.url)
"""
from __future__ import annotations

import json
import secrets
import sys
import threading
import time
from collections import defaultdict, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

ROUTES = {
    ("GET", "/cgi-bin/token"): "token",
    ("GET", "/sns/jscode2session"): "jscode2session",
    ("POST", "/wxa/business/getuserphonenumber"): "phone",
    ("POST", "/cgi-bin/message/subscribe/send"): "subscribe_send",
    ("POST", "/wxa/msg_sec_check"): "msg_sec_check",
}
ENDPOINT_NAMES = frozenset(ROUTES.values())

ERRMSGS = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40003: "invalid openid",
    40013: "invalid appid",
    40029: "invalid code",
    40037: "invalid template_id",
    40125: "invalid appsecret",
    40163: "code been used",
    40226: "high risk user",
    41001: "access_token missing",
    42001: "access_token expired",
    43101: "user refuse to accept the msg",
    43107: "subscribe message sending is banned",
    45009: "reach max api daily quota limit",
    45011: "api minute-quota reach limit  mustslower  retry next minute",
    47001: "data format error",
    47003: "argument invalid!",
    87014: "risky content",
}
DEFAULT_RISKY_WORDS = frozenset({"违禁测试"})
TOKEN_TTL = 7200

Reply = tuple[int, str, bytes]


def _json(body: dict[str, Any], status: int = 200) -> Reply:
    return status, "application/json; encoding=utf-8", json.dumps(body, ensure_ascii=False).encode()


def _error(errcode: int) -> Reply:
    rid = f"{secrets.token_hex(4)}-{secrets.token_hex(4)}-{secrets.token_hex(4)}"
    return _json({"errcode": errcode, "errmsg": f"{ERRMSGS.get(errcode, 'error')} rid: {rid}"})


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, method: str) -> None:
        parts = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, content_type, payload = self.server.fake.handle(method, parts.path, query, body)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Keeps test output quiet."""


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeWeChatServer) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignores clients that hung up (e.g. after their timeout); a real bug still surfaces."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class FakeWeChatServer:
    """A thread-safe fake of the WeChat mini-program server APIs, controlled from tests."""

    def __init__(self, app_id: str | None = None, app_secret: str | None = None) -> None:
        self.app_id = app_id or f"wxfake{secrets.token_hex(5)}"
        self.app_secret = app_secret or secrets.token_hex(16)
        self._lock = threading.RLock()
        self._server: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._url: str | None = None
        self.sent_messages: list[dict[str, Any]] = []
        self.risky_words: set[str] = set()
        self.review_words: set[str] = set()
        self.reset()

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> FakeWeChatServer:
        """Starts serving on a free port of 127.0.0.1 in a background thread."""
        if self._server is not None:
            return self
        self._server = _HTTPServer(self)
        host, port = self._server.server_address[:2]
        self._url = f"http://{host}:{port}/"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
            name="fake-wechat", daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stops serving and frees the port; ``url`` keeps pointing at the (now closed) port."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeWeChatServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The API base URL, with a trailing slash."""
        if self._url is None:
            raise RuntimeError("the fake WeChat server has not been started")
        return self._url

    # -- controls --------------------------------------------------------------------------------

    def reset(self) -> None:
        """Forgets codes, tokens, failures, messages and counters; restores the default word lists."""
        with self._lock:
            self.token_requests = 0
            self.delay_seconds = 0.0
            self._codes: dict[str, dict[str, Any]] = {}
            self._phone_codes: dict[str, str] = {}
            self._used_codes: set[str] = set()
            self._valid_tokens: set[str] = set()
            self._expired_tokens: set[str] = set()
            self._fail_next: dict[str, deque[int]] = defaultdict(deque)
            self._fail_always: dict[str, int] = {}
            self._http_errors: dict[str, deque[tuple[int, bytes]]] = defaultdict(deque)
            self.sent_messages.clear()
            self.risky_words.clear()
            self.risky_words.update(DEFAULT_RISKY_WORDS)
            self.review_words.clear()

    def add_code(self, code: str, openid: str, session_key: str | None = None,
                 unionid: str | None = None) -> None:
        """Registers a single-use wx.login code; a second use answers 40163."""
        with self._lock:
            self._codes[code] = {"openid": openid, "session_key": session_key or f"sk-{secrets.token_hex(8)}",
                                 "unionid": unionid}

    def add_phone_code(self, code: str, phone: str) -> None:
        """Registers a single-use getPhoneNumber code for a mainland number."""
        with self._lock:
            self._phone_codes[code] = phone

    def fail_next(self, endpoint: str, errcode: int) -> None:
        """The next call of the endpoint answers with this errcode (queued, in order)."""
        with self._lock:
            self._fail_next[self._endpoint(endpoint)].append(errcode)

    def fail_always(self, endpoint: str, errcode: int | None) -> None:
        """Every call of the endpoint answers with this errcode (None stops it)."""
        with self._lock:
            if errcode is None:
                self._fail_always.pop(self._endpoint(endpoint), None)
            else:
                self._fail_always[self._endpoint(endpoint)] = errcode

    def http_error_next(self, endpoint: str, status: int, body: str | None = None) -> None:
        """The next call of the endpoint answers with this HTTP status and a non-JSON body."""
        payload = (body if body is not None else f"<html><body><h1>{status}</h1></body></html>").encode()
        with self._lock:
            self._http_errors[self._endpoint(endpoint)].append((status, payload))

    def expire_tokens(self) -> None:
        """Every access token issued so far now answers 42001."""
        with self._lock:
            self._expired_tokens |= self._valid_tokens
            self._valid_tokens = set()

    @staticmethod
    def _endpoint(name: str) -> str:
        if name not in ENDPOINT_NAMES:
            raise ValueError(f"unknown endpoint {name!r}; expected one of {sorted(ENDPOINT_NAMES)}")
        return name

    # -- request handling ------------------------------------------------------------------------

    def handle(self, method: str, path: str, query: dict[str, str], body: bytes) -> Reply:
        """Answers one request as WeChat would."""
        name = ROUTES.get((method, path))
        if name is None:
            return 404, "text/html", b"<html><body><h1>404 Not Found</h1></body></html>"
        with self._lock:
            delay = self.delay_seconds
            if name == "token":
                self.token_requests += 1
            http_error = self._http_errors[name].popleft() if self._http_errors[name] else None
            errcode = self._fail_next[name].popleft() if self._fail_next[name] else self._fail_always.get(name)
        if delay:
            time.sleep(delay)
        if http_error is not None:
            status, payload = http_error
            return status, "text/html", payload
        if errcode is not None:
            return _error(errcode)
        if name == "token":
            return self._token(query)
        if name == "jscode2session":
            return self._jscode2session(query)
        token_error = self._check_token(query.get("access_token"))
        if token_error:
            return _error(token_error)
        try:
            data = json.loads(body.decode("utf-8")) if body else {}
        except ValueError:
            return _error(47001)
        if not isinstance(data, dict):
            return _error(47001)
        if name == "phone":
            return self._phone(data)
        if name == "subscribe_send":
            return self._subscribe_send(data)
        return self._msg_sec_check(data)

    def _check_credentials(self, query: dict[str, str]) -> int | None:
        if query.get("appid") != self.app_id:
            return 40013
        if query.get("secret") != self.app_secret:
            return 40125
        return None

    def _check_token(self, token: str | None) -> int | None:
        with self._lock:
            if not token:
                return 41001
            if token in self._expired_tokens:
                return 42001
            if token not in self._valid_tokens:
                return 40001
        return None

    def _token(self, query: dict[str, str]) -> Reply:
        if query.get("grant_type") != "client_credential":
            return _error(40002)
        error = self._check_credentials(query)
        if error:
            return _error(error)
        token = secrets.token_urlsafe(48)
        with self._lock:
            self._valid_tokens.add(token)
        return _json({"access_token": token, "expires_in": TOKEN_TTL})

    def _jscode2session(self, query: dict[str, str]) -> Reply:
        if query.get("grant_type") != "authorization_code":
            return _error(40002)
        error = self._check_credentials(query)
        if error:
            return _error(error)
        code = query.get("js_code", "")
        with self._lock:
            if code in self._used_codes:
                return _error(40163)
            session = self._codes.pop(code, None)
            if session is None:
                return _error(40029)
            self._used_codes.add(code)
        answer = {"openid": session["openid"], "session_key": session["session_key"]}
        if session["unionid"]:
            answer["unionid"] = session["unionid"]
        return _json(answer)

    def _phone(self, data: dict[str, Any]) -> Reply:
        code = str(data.get("code") or "")
        with self._lock:
            if code in self._used_codes:
                return _error(40163)
            phone = self._phone_codes.pop(code, None)
            if phone is None:
                return _error(40029)
            self._used_codes.add(code)
        return _json({
            "errcode": 0,
            "errmsg": "ok",
            "phone_info": {
                "phoneNumber": f"+86{phone}",
                "purePhoneNumber": phone,
                "countryCode": "86",
                "watermark": {"timestamp": int(time.time()), "appid": self.app_id},
            },
        })

    def _subscribe_send(self, data: dict[str, Any]) -> Reply:
        if not data.get("touser"):
            return _error(40003)
        if not data.get("template_id"):
            return _error(40037)
        fields = data.get("data")
        if not isinstance(fields, dict) or not all(
            isinstance(value, dict) and isinstance(value.get("value"), str) for value in fields.values()
        ):
            return _error(47003)
        with self._lock:
            self.sent_messages.append(data)
        return _json({"errcode": 0, "errmsg": "ok", "msgid": secrets.randbelow(2**53)})

    def _msg_sec_check(self, data: dict[str, Any]) -> Reply:
        content = str(data.get("content") or "")
        with self._lock:
            risky = any(word in content for word in self.risky_words)
            review = any(word in content for word in self.review_words)
        if data.get("version") != 2:
            return _error(87014) if risky else _json({"errcode": 0, "errmsg": "ok"})
        if not data.get("openid"):
            return _error(40003)
        if data.get("scene") not in {1, 2, 3, 4}:
            return _error(47003)
        suggest, label = ("risky", 20001) if risky else ("review", 21000) if review else ("pass", 100)
        return _json({
            "errcode": 0,
            "errmsg": "ok",
            "result": {"suggest": suggest, "label": label},
            "detail": [{"strategy": "content_model", "errcode": 0, "suggest": suggest, "label": label,
                        "prob": 90 if suggest != "pass" else 0}],
            "trace_id": secrets.token_hex(12),
        })
