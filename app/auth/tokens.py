"""API tokens: HS256 JWTs carrying the user id and their token version."""
from datetime import timedelta

import jwt
from flask import current_app

from app import clock
from app.errors import Unauthorized


def issue_token(user) -> tuple[str, int]:
    """A signed token for the user and its lifetime in seconds."""
    ttl = current_app.config["TOKEN_TTL_SECONDS"]
    issued = clock.now()
    claims = {
        "sub": str(user.id),
        "ver": user.token_version,
        "iat": int(issued.timestamp()),
        "exp": int((issued + timedelta(seconds=ttl)).timestamp()),
    }
    return jwt.encode(claims, current_app.config["SECRET_KEY"], algorithm="HS256"), ttl


def read_token(token: str) -> tuple[int, int]:
    """The (user id, token version) a valid token carries; 401 otherwise."""
    try:
        claims = jwt.decode(
            token,
            current_app.config["SECRET_KEY"],
            algorithms=["HS256"],
            # Expiry is checked against app.clock below; PyJWT's own iat/exp checks use the wall clock.
            options={"verify_exp": False, "verify_iat": False, "require": ["sub", "exp", "ver"]},
        )
        user_id, version, expires = int(claims["sub"]), int(claims["ver"]), int(claims["exp"])
    except (jwt.PyJWTError, ValueError, TypeError):
        raise Unauthorized("登录状态无效，请重新登录") from None
    if expires <= clock.now().timestamp():
        raise Unauthorized("登录已过期，请重新登录")
    return user_id, version
