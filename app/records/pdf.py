"""The 志愿服务记录证明 as a PDF: ReportLab (platypus) with a Chinese TrueType font embedded as a subset,
and a QR code (segno) drawn as vector squares that points to the public verification page.

ReportLab registers the font once per process (parsing a CJK font takes a few hundred milliseconds);
each certificate then embeds only the glyphs it uses. The output is invariant: the same certificate
renders to the same bytes, whenever it is downloaded.
"""
import io
import threading
from datetime import datetime
from pathlib import Path

import segno
from flask import current_app
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from xml.sax.saxutils import escape

from app.errors import AppError
from app.records.models import KIND_LABELS, ServiceCertificate
from app.stats.service import TZ, Period

FONT_NAME = "SqwdCJK"
# TrueType CJK fonts Debian ships (ReportLab embeds TrueType outlines, not the CFF of Noto CJK's .otf/.ttc).
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # fonts-wqy-microhei (scripts/install-browser.sh)
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # fonts-wqy-zenhei
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",  # fonts-droid-fallback
)
_lock = threading.Lock()
_registered: str | None = None


class CertificateUnavailable(AppError):
    status, code, message = 503, "unavailable", "证明文件暂时无法生成（服务器缺少中文字体），请联系管理员"


def font_path() -> Path | None:
    """CERTIFICATE_FONT if set, else the first CJK TrueType font found on the machine."""
    configured = current_app.config.get("CERTIFICATE_FONT")
    candidates = [configured] if configured else FONT_CANDIDATES
    return next((Path(p) for p in candidates if Path(p).is_file()), None)


def _font() -> str:
    """The registered CJK font's name (registered on first use)."""
    global _registered
    path = font_path()
    if path is None:
        current_app.logger.error("no CJK TrueType font for certificates: install fonts-wqy-microhei "
                                 "or set CERTIFICATE_FONT")
        raise CertificateUnavailable()
    with _lock:
        if _registered != str(path):
            font = TTFont(FONT_NAME, str(path), subfontIndex=0) if path.suffix.lower() == ".ttc" \
                else TTFont(FONT_NAME, str(path))
            pdfmetrics.registerFont(font)
            _registered = str(path)
    return FONT_NAME


class QRCode(Flowable):
    """A QR code drawn as squares (sharp at any zoom, no image decoding)."""

    def __init__(self, data: str, size: float):
        super().__init__()
        self.qr = segno.make(data, error="m", micro=False)
        self.size = size
        self.width = self.height = size

    def draw(self):
        rows = [list(row) for row in self.qr.matrix_iter(scale=1, border=2)]
        cell = self.size / len(rows)
        self.canv.setFillColor(colors.black)
        for y, row in enumerate(rows):
            for x, dark in enumerate(row):
                if dark:
                    self.canv.rect(x * cell, self.size - (y + 1) * cell, cell, cell, stroke=0, fill=1)


def _styles(font: str) -> dict[str, ParagraphStyle]:
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=24, leading=32, alignment=TA_CENTER,
                                spaceAfter=4 * mm),
        "code": ParagraphStyle("code", fontName=font, fontSize=9, leading=12, alignment=TA_RIGHT,
                               textColor=colors.HexColor("#555555")),
        "body": ParagraphStyle("body", fontName=font, fontSize=13, leading=24, firstLineIndent=26,
                               wordWrap="CJK"),
        "cell": ParagraphStyle("cell", fontName=font, fontSize=9.5, leading=13, wordWrap="CJK"),
        "small": ParagraphStyle("small", fontName=font, fontSize=9, leading=13, wordWrap="CJK",
                                textColor=colors.HexColor("#555555")),
        "sign": ParagraphStyle("sign", fontName=font, fontSize=12, leading=20, alignment=TA_RIGHT),
    }


def _day(moment: datetime) -> str:
    local = moment.astimezone(TZ)
    return f"{local.year}年{local.month}月{local.day}日"


def duration_text(minutes: int) -> str:
    """12 小时 30 分钟 (some 12.5 hours)."""
    whole, rest = divmod(minutes, 60)
    parts = ([f"{whole} 小时"] if whole else []) + ([f"{rest} 分钟"] if rest or not whole else [])
    return " ".join(parts)


def period_text(certificate: ServiceCertificate) -> str:
    return Period(certificate.period_from, certificate.period_to).label()


def statement(certificate: ServiceCertificate) -> str:
    """The certificate's sentence (plain text; the PDF and the tests read it)."""
    deeds = []
    if certificate.services:
        deeds.append(f"为群众提供点单志愿服务 {certificate.services} 次")
    if certificate.calls:
        deeds.append(f"响应社区吹哨、参加志愿活动 {certificate.calls} 次")
    text = (f"兹证明志愿者 {certificate.name or certificate.name_masked} 于 {period_text(certificate)}期间，在{certificate.issuer}参加志愿服务，"
            f"{'，'.join(deeds)}，累计志愿服务时长 {duration_text(certificate.total_minutes)}"
            f"（合计 {certificate.total_minutes / 60:.2f} 小时）。")
    if certificate.avg_stars is not None:
        text += f"服务对象评价平均 {certificate.avg_stars:.1f} 星。"
    return text


def render(certificate: ServiceCertificate, verify_url: str) -> bytes:
    """The certificate's PDF."""
    font = _font()
    styles = _styles(font)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
                                 bottomMargin=18 * mm, title="志愿服务记录证明", author=certificate.issuer,
                                 subject=f"核验码 {certificate.code}", creator="社区五单", invariant=1)
    story = [
        Paragraph(f"证明编号（核验码）：{certificate.code}", styles["code"]),
        Spacer(1, 6 * mm),
        Paragraph("志愿服务记录证明", styles["title"]),
        Spacer(1, 4 * mm),
        Paragraph(escape(statement(certificate)), styles["body"]),
        Paragraph("特此证明。", styles["body"]),
        Spacer(1, 6 * mm),
    ]
    story += _items_table(certificate, styles)
    qr_size = 32 * mm
    signature = [Paragraph(f"出具单位：{escape(certificate.issuer)}", styles["sign"]),
                 Paragraph(f"出具日期：{_day(certificate.issued_at)}", styles["sign"])]
    check = [Paragraph("扫描二维码，或访问下方网址核验本证明：", styles["small"]),
             Paragraph(escape(verify_url), styles["small"]),
             Paragraph(f"核验码：{certificate.code}", styles["small"])]
    footer = Table([[QRCode(verify_url, qr_size), check, signature]],
                   colWidths=[qr_size + 4 * mm, 70 * mm, None])
    footer.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("LEFTPADDING", (0, 0), (0, 0), 0)]))
    story += [Spacer(1, 8 * mm), footer, Spacer(1, 4 * mm),
              Paragraph("本证明依据《志愿服务条例》，根据社区五单志愿服务平台的服务记录出具；所载时长与次数以出具时的"
                        "记录为准。", styles["small"])]
    document.build(story)
    return buffer.getvalue()


def _items_table(certificate: ServiceCertificate, styles: dict) -> list:
    if not certificate.items:
        return []
    cell = styles["cell"]
    rows = [[Paragraph(text, cell) for text in ("序号", "服务日期", "服务内容", "类型", "时长", "评价")]]
    for number, item in enumerate(certificate.items, 1):
        stars = f"{item['stars']} 星" if item.get("stars") else ""
        rows.append([Paragraph(str(number), cell), Paragraph(item["date"], cell),
                     Paragraph(escape(item["title"]), cell), Paragraph(KIND_LABELS.get(item["kind"], ""), cell),
                     Paragraph(duration_text(item["minutes"]), cell), Paragraph(stars, cell)])
    table = Table(rows, colWidths=[12 * mm, 24 * mm, None, 22 * mm, 28 * mm, 14 * mm], repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))
    flowables = [Paragraph("服务明细", styles["cell"]), Spacer(1, 2 * mm), table]
    if certificate.services + certificate.calls > len(certificate.items):
        flowables.append(Paragraph(f"（共 {certificate.services + certificate.calls} 项，以上列出最近的 "
                                   f"{len(certificate.items)} 项）", styles["small"]))
    return flowables
