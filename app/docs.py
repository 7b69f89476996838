"""Swagger UI's files served from the swagger-ui-bundle package: the docs need no internet."""
from flask import Blueprint, Flask, send_from_directory
from swagger_ui_bundle import swagger_ui_path

assets = Blueprint("swagger_assets", __name__)


@assets.route("/api/v1/docs/static/<path:filename>")
def swagger_asset(filename: str):
    return send_from_directory(str(swagger_ui_path), filename, max_age=86400)


def init_app(app: Flask) -> None:
    app.register_blueprint(assets)
