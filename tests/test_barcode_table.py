"""The mini-program's CODE 128 table (miniprogram/utils/barcode.js, the 核销码's barcode) is the standard one."""
import re
from pathlib import Path

from reportlab.graphics.barcode.code128 import _patterns

BARCODE_JS = Path(__file__).resolve().parent.parent / "miniprogram" / "utils" / "barcode.js"
WIDTHS = {letter: str(n) for n, pair in enumerate(("Aa", "Bb", "Cc", "Dd"), start=1) for letter in pair}


def test_the_phones_barcode_table_is_reportlabs():
    """Does every symbol of the phone's CODE 128 table have the bar and space widths ReportLab draws it with?"""
    table = re.search(r"const PATTERNS = \[(.*?)\]", BARCODE_JS.read_text(encoding="utf-8"), re.S).group(1)
    phone = re.findall(r"'(\d+)'", table)
    assert phone == ["".join(WIDTHS[c] for c in _patterns[value]) for value in range(107)]
