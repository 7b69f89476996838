"""Unbound extensions, bound to the app in create_app."""
from flask import g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from app.replica import ReplicaAwareSession
from app.schema import Schema, fields

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# The session reads on the replica during the views marked @replica_reads (app/replica.py).
db = SQLAlchemy(model_class=Base, session_options={"class_": ReplicaAwareSession})
migrate = Migrate(render_as_batch=True, compare_type=True)


def client_key() -> str:
    """Rate-limit key: the logged-in user if any, else the client address."""
    user = g.get("current_user")
    return f"user:{user.id}" if user is not None else get_remote_address()


limiter = Limiter(key_func=get_remote_address, default_limits=[])


class ErrorBodySchema(Schema):
    """The contract's error body (documented as every operation's default response)."""

    code = fields.String(metadata={"description": "snake_case error code, e.g. validation_error"})
    message = fields.String(metadata={"description": "说明（中文）"})
    errors = fields.Dict(metadata={"description": "field errors: {field: [messages]}"})
    request_id = fields.String(metadata={"description": "500 only: the id of this request in the log"})
    errcode = fields.Integer(metadata={"description": "WeChat's errcode, when WeChat failed"})


class JsonApi(Api):
    """flask-smorest Api whose HTTP errors use the contract's error shape."""

    ERROR_SCHEMA = ErrorBodySchema

    def handle_http_exception(self, error):
        from app.errors import http_error_response

        return http_error_response(error)


api = JsonApi()
