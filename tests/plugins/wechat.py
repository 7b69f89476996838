"""Pytest fixtures for the fake WeChat API server.

Load with ``pytest_plugins = ["tests.plugins.wechat"]``. One server runs for the whole session;
``fake_wechat`` hands it to a test with its state reset.
"""
from collections.abc import Iterator

import pytest

from app.wechat.fake_server import FakeWeChatServer


@pytest.fixture(scope="session")
def fake_wechat_server() -> Iterator[FakeWeChatServer]:
    """The session's fake WeChat server, started once."""
    with FakeWeChatServer() as server:
        yield server


@pytest.fixture
def fake_wechat(fake_wechat_server: FakeWeChatServer) -> Iterator[FakeWeChatServer]:
    """The fake WeChat server with fresh state for this test."""
    fake_wechat_server.reset()
    yield fake_wechat_server
    fake_wechat_server.reset()
