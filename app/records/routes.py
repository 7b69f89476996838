"""志愿服务记录: my record and a volunteer's (staff, team leaders), the hours export, certificates and their
public verification."""
from urllib.parse import quote

from flask import Response, jsonify, render_template, request
from flask_smorest import Blueprint

from app.auth import current_viewer
from app.errors import NotFound
from app.privacy import access_log
from app.records import certificates, export, pdf, service  # noqa: F401  (service: the crediting receivers)
from app.records.schemas import (CertificateCreateSchema, CertificatePageSchema, CertificateSchema, HoursExportArgs,
                                 RecordArgs, ServiceRecordSchema, VerificationSchema)
from app.schema import ListArgs, decode_cursor, keyset_page
from app.stats import service as stats

blp = Blueprint("records", __name__, description="志愿服务记录：服务时长、记录证明与核验", template_folder="templates")

PDF_MIMETYPE = "application/pdf"


@blp.route("/me/service-record", methods=["GET"])
@blp.arguments(RecordArgs, location="query")
@blp.response(200, ServiceRecordSchema)
def my_service_record(args):
    """My service record for a period: total minutes, services, calls, average stars and the services, newest
    first (one page)."""
    viewer = current_viewer()
    return service.service_record(viewer.user, args.get("from_"), args.get("to"), args["limit"],
                                  decode_cursor(args.get("cursor")))


@blp.route("/users/<int:user_id>/service-record", methods=["GET"])
@blp.arguments(RecordArgs, location="query")
@blp.response(200, ServiceRecordSchema)
def user_service_record(args, user_id):
    """A volunteer's service record (staff of the volunteer's areas, leaders of their teams; others 404)."""
    user = service.record_subject(current_viewer(), user_id)
    return service.service_record(user, args.get("from_"), args.get("to"), args["limit"],
                                  decode_cursor(args.get("cursor")))


@blp.route("/stats/service-hours/export", methods=["GET"])
@blp.arguments(HoursExportArgs, location="query")
@blp.doc(responses={"200": {"description": "one row a volunteer: name, service dates, content, hours", "content": {
    export.XLSX_MIMETYPE: {"schema": {"type": "string", "format": "binary"}},
    "text/csv": {"schema": {"type": "string", "format": "binary"}}}}})
def service_hours_export(args):
    """Download an area's volunteer hours for a period (staff, admins): xlsx or csv (UTF-8 with BOM)."""
    viewer = current_viewer()
    scope = stats.resolve_scope(viewer, args.get("area_id"))
    period = stats.parse_period(args.get("from_"), args.get("to"))
    access_log.select_seen(viewer, "service_hours_export", access_log.volunteer_export_subjects(scope, period))
    if args["format"] == "csv":
        return export.csv_response(scope, period)
    return export.xlsx_response(scope, period)


@blp.route("/me/service-certificates", methods=["POST"])
@blp.arguments(CertificateCreateSchema)
@blp.response(201, CertificateSchema)
def issue_certificate(body):
    """Issue a 志愿服务记录证明 of my service for a period (default: from my first service to now)."""
    return certificates.present(certificates.issue(current_viewer(), body.get("from_"), body.get("to")))


@blp.route("/me/service-certificates", methods=["GET"])
@blp.arguments(ListArgs, location="query")
@blp.response(200, CertificatePageSchema)
def my_certificates(args):
    """The certificates issued to me, newest first."""
    cursor = decode_cursor(args.get("cursor"))
    page = keyset_page(certificates.mine(current_viewer(), args["limit"], cursor and cursor["id"]), args["limit"])
    page["items"] = [certificates.present(c) for c in page["items"]]
    return page


@blp.route("/service-certificates/<code>.pdf", methods=["GET"])
@blp.doc(responses={"200": {"description": "the certificate", "content": {
    PDF_MIMETYPE: {"schema": {"type": "string", "format": "binary"}}}}})
def certificate_pdf(code):
    """A certificate's PDF (its owner, staff of the owner's areas)."""
    certificate = certificates.readable(current_viewer(), code)
    body = pdf.render(certificate, certificates.verify_url(certificate.code))
    response = Response(body, mimetype=PDF_MIMETYPE)
    response.headers["Content-Disposition"] = (f"inline; filename=\"certificate-{certificate.code}.pdf\"; "
                                               f"filename*=UTF-8''{quote(f'志愿服务记录证明_{certificate.code}.pdf')}")
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@blp.route("/verify/<code>", methods=["GET"])
@blp.doc(security=[], responses={"200": {"description": "the certificate's facts; a page for browsers (Accept)",
                                         "content": {"application/json": {"schema": VerificationSchema},
                                                     "text/html": {"schema": {"type": "string"}}}}})
def verify_certificate(code):
    """Check a certificate by its code (public): the facts with the name masked; an HTML page for browsers."""
    wants_html = request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html"
    try:
        facts = certificates.verification(certificates.by_code(code))
    except NotFound:
        if not wants_html:
            raise
        return _vary(Response(render_template("records/verify.html", facts=None), status=404,
                              mimetype="text/html"))
    if wants_html:
        return _vary(Response(render_template("records/verify.html", facts=facts, tz=stats.TZ,
                                              period=certificates.period_label(facts)), mimetype="text/html"))
    return _vary(jsonify(VerificationSchema().dump(facts)))


def _vary(response: Response) -> Response:
    response.headers["Vary"] = "Accept"
    response.headers["Cache-Control"] = "no-store"
    return response
