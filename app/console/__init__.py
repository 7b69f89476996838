"""The staff web console (工作台): a small single-page app at /console/ that calls the JSON API.

Everything it needs is served from this package: the page, its ES modules and styles, and the QR code
of the 扫码登录 ticket (rendered here with segno as SVG). Nothing is loaded from the internet.
"""
import io
import re

import segno
from flask import Blueprint, Response, abort, current_app, render_template, request

bp = Blueprint("console", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static")

TICKET = re.compile(r"^[A-Za-z0-9_-]{6,128}$")
# Accounts of the demo world offered by the dev-mode login form (DESIGN §7).
DEMO_ACCOUNTS = [("demo-staff-sy", "松阳社区工作人员"), ("demo-staff-qs", "青山社区工作人员"),
                 ("demo-admin", "县委组织部管理员")]
CSP = ("default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
       "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")


@bp.after_request
def console_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    return response


@bp.route("/")
def index():
    """The console's page; the script takes over from there."""
    dev_login = bool(current_app.config.get("DEV_LOGIN"))
    response = Response(render_template("console/index.html", dev_login=dev_login,
                                        demo_accounts=DEMO_ACCOUNTS if dev_login else []))
    response.headers["Cache-Control"] = "no-store"
    return response


def ticket_url(ticket: str) -> str:
    """What the QR code holds: a URL ending with the ticket (the mini-program takes the last segment)."""
    return f"{request.host_url}console/login/{ticket}"


@bp.route("/qr/<ticket>.svg")
def ticket_qr(ticket: str):
    """The ticket's QR code as SVG, drawn on the server."""
    if not TICKET.match(ticket):
        abort(404)
    qr = segno.make(ticket_url(ticket), error="m")
    buffer = io.BytesIO()
    qr.save(buffer, kind="svg", scale=6, border=2, dark="#111", light="#fff", xmldecl=False,
            title="扫码登录工作台")
    return Response(buffer.getvalue(), mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})


@bp.route("/login/<ticket>")
def scanned_elsewhere(ticket: str):
    """Where a phone's camera app lands when it scans the code: point to the mini-program."""
    if not TICKET.match(ticket):
        abort(404)
    return render_template("console/scan.html")


def init_app(app) -> None:
    app.register_blueprint(bp, url_prefix="/console")
