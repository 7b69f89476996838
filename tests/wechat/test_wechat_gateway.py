"""The WeChat gateway, through the real wechatpy client over real HTTP against the fake WeChat server."""
import logging
import uuid

import pytest
from flask import Flask

from app.wechat import (
    REDIS_PREFIX,
    DevGateway,
    InvalidCode,
    SubscriptionRefused,
    WeChatError,
    WeChatGateway,
    WeChatRateLimited,
    WeChatUnavailable,
    WxSession,
    gateway,
    init_app,
)
from app.wechat.fake_server import FakeWeChatServer
from tests.conftest import redis_or_unavailable, redis_test_url

pytest_plugins = ("tests.plugins.wechat",)

REDIS_TEST_URL = redis_test_url(15)


def make_gateway(fake: FakeWeChatServer, **kwargs) -> WeChatGateway:
    options = {"api_base_url": fake.url, "timeout": 2.0, "redis_url": None, "miniprogram_state": "developer"}
    options.update(kwargs)
    return WeChatGateway(app_id=fake.app_id, app_secret=fake.app_secret, **options)


@pytest.fixture
def gw(fake_wechat: FakeWeChatServer) -> WeChatGateway:
    return make_gateway(fake_wechat)


# -- code2session ------------------------------------------------------------------------------------


def test_code2session_returns_session_without_fetching_a_token(fake_wechat, gw):
    """Does code2session return the openid, session_key and unionid without any token request?"""
    fake_wechat.add_code("c1", "openid-1", session_key="sk-one", unionid="union-1")

    session = gw.code2session("c1")

    assert session == WxSession(openid="openid-1", session_key="sk-one", unionid="union-1")
    assert fake_wechat.token_requests == 0


def test_code2session_without_unionid(fake_wechat, gw):
    """Is unionid None when WeChat gives none?"""
    fake_wechat.add_code("c1", "openid-1")

    assert gw.code2session("c1").unionid is None


def test_code2session_invalid_code(fake_wechat, gw):
    """Is an unknown code an InvalidCode with errcode 40029?"""
    with pytest.raises(InvalidCode) as caught:
        gw.code2session("nope")
    assert caught.value.errcode == 40029


def test_code2session_used_code(fake_wechat, gw):
    """Is a code used a second time an InvalidCode with errcode 40163?"""
    fake_wechat.add_code("c1", "openid-1")
    gw.code2session("c1")

    with pytest.raises(InvalidCode) as caught:
        gw.code2session("c1")
    assert caught.value.errcode == 40163


def test_code2session_rate_limited(fake_wechat, gw):
    """Is WeChat's 45011 a WeChatRateLimited?"""
    fake_wechat.fail_next("jscode2session", 45011)

    with pytest.raises(WeChatRateLimited) as caught:
        gw.code2session("c1")
    assert caught.value.errcode == 45011


def test_code2session_wrong_secret(fake_wechat):
    """Is a wrong app secret a plain WeChatError carrying WeChat's errcode?"""
    bad = WeChatGateway(fake_wechat.app_id, "wrong-secret", api_base_url=fake_wechat.url, timeout=2.0)

    with pytest.raises(WeChatError) as caught:
        bad.code2session("c1")
    assert type(caught.value) is WeChatError
    assert caught.value.errcode == 40125


def test_other_errcode_is_plain_wechat_error(fake_wechat, gw):
    """Are codes like -1 and 40226 plain WeChatErrors, not a subclass?"""
    for errcode in (-1, 40226):
        fake_wechat.fail_next("jscode2session", errcode)
        with pytest.raises(WeChatError) as caught:
            gw.code2session("c1")
        assert type(caught.value) is WeChatError
        assert caught.value.errcode == errcode


# -- unavailability ----------------------------------------------------------------------------------


def test_server_down_is_unavailable():
    """Is a closed port a WeChatUnavailable with no errcode?"""
    stopped = FakeWeChatServer()
    with stopped:
        url = stopped.url
    down = WeChatGateway(stopped.app_id, stopped.app_secret, api_base_url=url, timeout=1.0)

    with pytest.raises(WeChatUnavailable) as caught:
        down.code2session("c1")
    assert caught.value.errcode is None


def test_timeout_is_unavailable(fake_wechat):
    """Is a WeChat slower than the timeout a WeChatUnavailable?"""
    fake_wechat.add_code("c1", "openid-1")
    fake_wechat.delay_seconds = 0.5
    slow = make_gateway(fake_wechat, timeout=0.1)

    with pytest.raises(WeChatUnavailable):
        slow.code2session("c1")


def test_http_500_is_unavailable(fake_wechat, gw):
    """Is an HTTP 500 a WeChatUnavailable?"""
    fake_wechat.http_error_next("jscode2session", 500)

    with pytest.raises(WeChatUnavailable) as caught:
        gw.code2session("c1")
    assert "500" in str(caught.value)


def test_non_json_body_is_unavailable(fake_wechat, gw):
    """Is a 200 answer that is not JSON a WeChatUnavailable?"""
    fake_wechat.http_error_next("jscode2session", 200, body="<html>gateway page</html>")

    with pytest.raises(WeChatUnavailable):
        gw.code2session("c1")


@pytest.mark.parametrize("status", [502, 200])
def test_token_endpoint_failure_is_unavailable(fake_wechat, gw, status):
    """Is an HTTP error or a non-JSON answer from the token endpoint a WeChatUnavailable?"""
    fake_wechat.add_phone_code("p1", "13800138000")
    fake_wechat.http_error_next("token", status)

    with pytest.raises(WeChatUnavailable):
        gw.phone_number("p1")


# -- phone number and access token -------------------------------------------------------------------


def test_phone_number(fake_wechat, gw):
    """Does phone_number return purePhoneNumber after fetching one access token?"""
    fake_wechat.add_phone_code("p1", "13800138000")

    assert gw.phone_number("p1") == "13800138000"
    assert fake_wechat.token_requests == 1


def test_phone_number_invalid_code(fake_wechat, gw):
    """Is an unknown phone code an InvalidCode?"""
    with pytest.raises(InvalidCode):
        gw.phone_number("nope")


def test_token_is_reused(fake_wechat, gw):
    """Does a second call reuse the access token instead of fetching a new one?"""
    fake_wechat.add_phone_code("p1", "13800138000")
    fake_wechat.add_phone_code("p2", "13900139000")

    gw.phone_number("p1")
    assert gw.phone_number("p2") == "13900139000"
    assert fake_wechat.token_requests == 1


def test_expired_token_is_refreshed(fake_wechat, gw):
    """Does an expired token (42001) get refreshed and the call retried?"""
    fake_wechat.add_phone_code("p1", "13800138000")
    fake_wechat.add_phone_code("p2", "13900139000")
    gw.phone_number("p1")
    fake_wechat.expire_tokens()

    assert gw.phone_number("p2") == "13900139000"
    assert fake_wechat.token_requests == 2


def test_invalid_token_is_refreshed(fake_wechat, gw):
    """Does an invalid token (40001) get refreshed and the call retried?"""
    fake_wechat.add_phone_code("p1", "13800138000")
    fake_wechat.fail_next("phone", 40001)

    assert gw.phone_number("p1") == "13800138000"
    assert fake_wechat.token_requests == 2


def test_token_refresh_is_retried_only_once(fake_wechat, gw):
    """Does a token WeChat keeps rejecting end in a WeChatError after a single refresh?"""
    fake_wechat.fail_always("phone", 40001)

    with pytest.raises(WeChatError) as caught:
        gw.phone_number("p1")
    assert caught.value.errcode == 40001
    assert fake_wechat.token_requests == 2


def test_token_shared_through_redis(fake_wechat):
    """Do two gateways on the same Redis share one access token?"""
    client = redis_or_unavailable(REDIS_TEST_URL)
    key = f"{REDIS_PREFIX}:{fake_wechat.app_id}_access_token"
    client.delete(key)
    fake_wechat.add_phone_code("p1", "13800138000")
    fake_wechat.add_phone_code("p2", "13900139000")
    try:
        first = make_gateway(fake_wechat, redis_url=REDIS_TEST_URL)
        second = make_gateway(fake_wechat, redis_url=REDIS_TEST_URL)

        first.phone_number("p1")
        assert second.phone_number("p2") == "13900139000"
        assert fake_wechat.token_requests == 1
        assert client.exists(key)
    finally:
        client.delete(key)
        client.close()


# -- subscribe messages ------------------------------------------------------------------------------


def test_subscribe_message_payload(fake_wechat, gw):
    """Does the sent payload carry touser, template_id, wrapped data, page, miniprogram_state and lang?"""
    gw.send_subscribe_message("openid-1", "tpl-1", {"thing1": "上门助餐", "time2": "2024-05-01 09:00"},
                              page="pages/orders/detail?id=7")

    assert fake_wechat.sent_messages == [{
        "touser": "openid-1",
        "template_id": "tpl-1",
        "page": "pages/orders/detail?id=7",
        "data": {"thing1": {"value": "上门助餐"}, "time2": {"value": "2024-05-01 09:00"}},
        "miniprogram_state": "developer",
        "lang": "zh_CN",
    }]


def test_subscribe_message_without_page(fake_wechat, gw):
    """Is page left out of the payload when none is given?"""
    gw.send_subscribe_message("openid-1", "tpl-1", {"thing1": "x"})

    assert "page" not in fake_wechat.sent_messages[0]


def test_subscribe_message_refused(fake_wechat, gw):
    """Is 43101 (no subscription left) a SubscriptionRefused?"""
    fake_wechat.fail_next("subscribe_send", 43101)

    with pytest.raises(SubscriptionRefused) as caught:
        gw.send_subscribe_message("openid-1", "tpl-1", {"thing1": "x"})
    assert caught.value.errcode == 43101
    assert fake_wechat.sent_messages == []


def test_subscribe_message_bad_data_is_permanent(fake_wechat, gw):
    """Is a 47003 data-format failure a SubscriptionRefused (retrying cannot help)?"""
    fake_wechat.fail_next("subscribe_send", 47003)

    with pytest.raises(SubscriptionRefused):
        gw.send_subscribe_message("openid-1", "tpl-1", {"thing1": "x"})


# -- content security --------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("帮忙修一下水龙头", "pass"),
    ("这是违禁测试内容", "risky"),
    ("这段需要人工看看", "review"),
])
def test_check_text(fake_wechat, gw, text, expected):
    """Does check_text return msg_sec_check v2's suggest?"""
    fake_wechat.review_words.add("人工看看")

    assert gw.check_text(text, "openid-1") == expected


def test_check_text_v1_risky_answer(fake_wechat, gw):
    """Is a v1-style 87014 answer read as risky?"""
    fake_wechat.fail_next("msg_sec_check", 87014)

    assert gw.check_text("随便", "openid-1") == "risky"


# -- secrets -----------------------------------------------------------------------------------------


def test_wx_session_repr_hides_session_key():
    """Is the session_key kept out of WxSession's repr?"""
    assert "sk-secret" not in repr(WxSession("openid-1", "sk-secret", None))


def test_errors_never_reveal_secret_or_session_key(fake_wechat, gw, caplog):
    """Do exceptions and gateway logs stay free of the app secret and session_key?"""
    caplog.set_level(logging.DEBUG, logger="app.wechat")
    fake_wechat.add_code("c1", "openid-1", session_key="sk-very-secret")
    gw.code2session("c1")
    errors: list[WeChatError] = []
    for fail in (lambda: fake_wechat.http_error_next("jscode2session", 503), lambda: None):
        fail()
        with pytest.raises(WeChatError) as caught:
            gw.code2session("c1")
        errors.append(caught.value)
    stopped = FakeWeChatServer(fake_wechat.app_id, fake_wechat.app_secret)
    with stopped:
        url = stopped.url
    with pytest.raises(WeChatUnavailable) as caught:
        make_gateway(fake_wechat, api_base_url=url).code2session("c1")
    errors.append(caught.value)

    for error in errors:
        for text in (str(error), repr(error), str(error.__cause__), str(error.__context__)):
            assert fake_wechat.app_secret not in text
            assert "sk-very-secret" not in text
    assert fake_wechat.app_secret not in caplog.text
    assert "sk-very-secret" not in caplog.text


# -- dev mode and app wiring -------------------------------------------------------------------------


def test_dev_gateway_login():
    """Does DevGateway accept dev:<openid> and refuse any other code?"""
    dev = DevGateway()

    assert dev.code2session("dev:demo-admin") == WxSession("demo-admin", "dev-session", None)
    for code in ("demo-admin", "dev:", "wx-real-code"):
        with pytest.raises(InvalidCode):
            dev.code2session(code)


def test_dev_gateway_phone():
    """Does DevGateway accept dev:<11-digit phone> and refuse anything else?"""
    dev = DevGateway()

    assert dev.phone_number("dev:13800138000") == "13800138000"
    for code in ("dev:1380013800", "13800138000", "dev:abc"):
        with pytest.raises(InvalidCode):
            dev.phone_number(code)


def test_dev_gateway_messages_and_text_check():
    """Does DevGateway record sent messages and flag only demo bad words?"""
    dev = DevGateway()

    dev.send_subscribe_message("openid-1", "tpl-1", {"thing1": "x"}, page="pages/index")

    assert dev.sent == [{"openid": "openid-1", "template_id": "tpl-1", "data": {"thing1": "x"},
                         "page": "pages/index"}]
    assert dev.check_text("含有违禁测试字样", "openid-1") == "risky"
    assert dev.check_text("帮忙买菜", "openid-1") == "pass"


def test_init_app_picks_gateway_from_config(fake_wechat):
    """Does init_app build a DevGateway without an app id and a WeChatGateway with one?"""
    dev_app = Flask("dev")
    dev_app.config.update(WECHAT_APP_ID=None)
    init_app(dev_app)
    with dev_app.app_context():
        assert isinstance(gateway(), DevGateway)

    real_app = Flask("real")
    real_app.config.update(WECHAT_APP_ID=fake_wechat.app_id, WECHAT_APP_SECRET=fake_wechat.app_secret,
                           WECHAT_API_BASE_URL=fake_wechat.url, WECHAT_TIMEOUT=2)
    init_app(real_app)
    fake_wechat.add_code("c1", "openid-1")
    with real_app.app_context():
        assert isinstance(gateway(), WeChatGateway)
        assert gateway().code2session("c1").openid == "openid-1"
