"""Text safety: users' free text passes WeChat's msgSecCheck before it is kept."""
import logging

from app import wechat
from app.errors import ValidationFailed

log = logging.getLogger(__name__)


def screen_text(openid: str, texts: dict[str, str], scene: int = 2) -> bool:
    """Refuse risky text with a 422 on its field; return True when it needs a human look.

    When WeChat cannot be reached the text is kept and flagged for staff review, never lost.
    """
    flagged = False
    for field, text in texts.items():
        if not text:
            continue
        try:
            suggest = wechat.gateway().check_text(text, openid, scene)
        except wechat.WeChatError as exc:
            log.warning("msgSecCheck unavailable (errcode=%s); text flagged for review", exc.errcode)
            return True
        if suggest == "risky":
            raise ValidationFailed({field: ["内容含有不适宜公开的信息，请修改后再提交"]})
        flagged = flagged or suggest == "review"
    return flagged
