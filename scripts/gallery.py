"""The mini-program's page gallery: render every page (tests/miniprogram/gallery), screenshot it in
Chromium at 375×812 @2x, measure it (scripts/gallery_checks.js) and write build/gallery/index.html.

    python scripts/gallery.py            # make screenshots: PNGs + index.html + checks.json, prints the figures
    python scripts/gallery.py --check    # the same, and exit 1 when a page breaks a rule (make test runs it via pytest)
"""
from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "build" / "gallery"
CHROMIUM = "/usr/bin/chromium"
CHECKS_JS = (Path(__file__).resolve().parent / "gallery_checks.js").read_text(encoding="utf-8")

# The rules (issue 15): per mode, the smallest tap target, text sizes; contrast for text and for the rest.
RULES = {
    "normal": {"tap_w": 44, "tap_h": 44, "body": 17, "secondary": 14},
    "care": {"tap_w": 44, "tap_h": 60, "body": 20, "secondary": 17},
}
TEXT_CONTRAST = 4.5
NON_TEXT_CONTRAST = 3.0
PLACEHOLDER_VS_TYPED = 1.6  # a placeholder must look lighter than what the user typed
OVERFLOW_TOLERANCE = 1.0
# Words users may see: none but these. The develop-only page (pages/me/dev) is exempt.
# Codes users read out or type (邀请码 SY2024, 核验码 K7Q2M9XA…: capitals with digits) and "5MB", as the server says it.
ALLOWED_WORDS = re.compile(r"\b(?=[A-Z0-9]*\d)[A-Z0-9]{6,}\b|\d+ ?MB\b")


def render_html(only: str | None = None) -> None:
    """Run the jest renderer: build/gallery/html/<case>.html and cases.json."""
    env = dict(os.environ, GALLERY_DIR=str(OUT))
    if only:
        env["GALLERY_ONLY"] = only
    else:  # a full run starts clean: no renders of pages or cases that are gone
        for folder in ("html", "png"):
            shutil.rmtree(OUT / folder, ignore_errors=True)
    npx = "npx"
    result = subprocess.run([npx, "jest", "-c", "tests/miniprogram/gallery/jest.config.js", "--silent"], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-8000:])
        raise SystemExit("the gallery's renderer failed (see above)")


def shoot(cases: list[dict], full: bool = False) -> dict[str, dict]:
    """Screenshot and measure every case; returns the measurements by case id."""
    from playwright.sync_api import sync_playwright

    (OUT / "png").mkdir(parents=True, exist_ok=True)
    results: dict[str, dict] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 375, "height": 812}, device_scale_factor=2, locale="zh-CN")
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        for case in cases:
            page.goto((OUT / "html" / f"{case['id']}.html").as_uri())
            page.evaluate(PLACEHOLDER_CLASSES_JS)
            page.screenshot(path=str(OUT / "png" / f"{case['id']}.png"))
            results[case["id"]] = page.evaluate(CHECKS_JS)
            if full:
                # The whole page, however long: the frame grows, the fixed bars stay at its bottom.
                page.evaluate(FULL_LENGTH_JS)
                page.screenshot(path=str(OUT / "png" / f"{case['id']}.full.png"), full_page=True)
        browser.close()
        if errors:
            raise SystemExit(f"page errors in the gallery: {errors[:5]}")
    return results


FULL_LENGTH_JS = """() => {
  const viewport = document.getElementById('wx-viewport')
  const content = viewport.firstElementChild ? viewport.firstElementChild.scrollHeight : 0
  const frame = viewport.clientHeight
  if (content <= frame) return
  const extra = content - frame
  document.body.style.height = (812 + extra) + 'px'
  viewport.style.setProperty('--wx-vh', (frame + extra) + 'px')
}"""


# WeChat's placeholder-class: give each input's ::placeholder the colour and size of that class.
PLACEHOLDER_CLASSES_JS = """() => {
  const sheet = document.createElement('style'); document.head.appendChild(sheet)
  document.querySelectorAll('[data-placeholder-class]').forEach((input, i) => {
    const probe = document.createElement('span'); probe.className = input.dataset.placeholderClass
    input.parentElement.appendChild(probe)
    const s = getComputedStyle(probe)
    input.setAttribute('data-ph', i)
    sheet.sheet.insertRule(`[data-ph="${i}"]::placeholder { color: ${s.color}; }`)
    probe.remove()
  })
}"""


def judge(case: dict, measured: dict) -> tuple[list[str], dict]:
    """The case's rule breaks, and its figures."""
    rule = RULES[case["mode"]]
    problems: list[str] = []
    taps = measured["taps"]
    for tap in taps:
        if tap["w"] < rule["tap_w"] or tap["h"] < rule["tap_h"]:
            problems.append(f"tap target {tap['w']}×{tap['h']} px: {tap['what']}")
        if not tap["labelled"]:
            problems.append(f"tappable without aria-role/aria-label: {tap['what']}")
        if tap.get("v2Width"):
            problems.append(f"button at WeChat's default width of 184 px (give it class btn): {tap['what']}")
        if tap.get("glyphOnly") and not tap["label"]:
            problems.append(f"glyph-only control without aria-label: {tap['what']}")
    for box in measured["overflow"]:
        if box["px"] > OVERFLOW_TOLERANCE:
            problems.append(f"overflow {box['px']} px ({box['kind']}): {box['what']}" + (f" in {box['in']}" if box.get("in") else ""))
    for text in measured["texts"]:
        floor = rule["secondary"] if text["secondary"] else rule["body"]
        if text["size"] + 0.01 < floor:
            problems.append(f"text {text['size']} px < {floor} px: {text['what']}")
        if not text["disabled"] and text["contrast"] < TEXT_CONTRAST:
            problems.append(f"text contrast {text['contrast']}:1: {text['what']}")
    for item in measured["nonText"]:
        if item.get("disabled"):
            continue
        if item["contrast"] < NON_TEXT_CONTRAST:
            problems.append(f"{item['kind']} contrast {item['contrast']}:1: {item['what']}")
    for ph in measured["placeholders"]:
        if ph["contrast"] < TEXT_CONTRAST:
            problems.append(f"placeholder contrast {ph['contrast']}:1: {ph['what']}")
        if ph["vsTyped"] < PLACEHOLDER_VS_TYPED:
            problems.append(f"placeholder as dark as typed text ({ph['vsTyped']}:1 apart): {ph['what']}")
    if not case["dev"]:
        for word in measured["words"]:
            rest = ALLOWED_WORDS.sub("", word["text"])
            if re.search(r"[A-Za-z]{2,}|\bnull\b|undefined|NaN|\[object|\d{4}-\d{2}-\d{2}T", rest):
                problems.append(f"English or a raw code shown: {word['text']!r} in {word['what']}")
    figures = {
        "smallest_tap": min(((t["h"], t["w"], t["what"]) for t in taps), default=None),
        "lowest_text_contrast": min(((t["contrast"], t["what"]) for t in measured["texts"] if not t["disabled"]), default=None),
        "lowest_non_text_contrast": min(((t["contrast"], t["kind"], t["what"]) for t in measured["nonText"]), default=None),
        "widest_overflow": max(((o["px"], o["kind"], o["what"]) for o in measured["overflow"]), default=None),
        "smallest_body_text": min(((t["size"], t["what"]) for t in measured["texts"] if not t["secondary"]), default=None),
        "smallest_text": min(((t["size"], t["what"]) for t in measured["texts"]), default=None),
    }
    return problems, figures


def summarise(cases: list[dict], figures: dict[str, dict]) -> str:
    """The figures the closing note needs: per mode, the extreme over every page."""
    lines = []
    for mode in ("normal", "care"):
        ids = [c["id"] for c in cases if c["mode"] == mode]

        def extreme(key, pick=min, ids=ids):
            rows = [(figures[i][key], i) for i in ids if figures[i][key] is not None]
            return pick(rows, key=lambda row: row[0][0]) if rows else None

        tap = extreme("smallest_tap")
        text = extreme("lowest_text_contrast")
        non_text = extreme("lowest_non_text_contrast")
        wide = extreme("widest_overflow", max)
        body = extreme("smallest_body_text")
        small = extreme("smallest_text")
        label = "关怀模式" if mode == "care" else "normal"
        lines.append(f"[{label}] {len(ids)} pages")
        if tap:
            lines.append(f"  smallest tap target: {tap[0][1]}×{tap[0][0]} px (w×h) — {tap[0][2]} on {tap[1]}")
        if text:
            lines.append(f"  lowest text contrast: {text[0][0]}:1 — {text[0][1]} on {text[1]}")
        if non_text:
            lines.append(f"  lowest non-text contrast: {non_text[0][0]}:1 ({non_text[0][1]}) — {non_text[0][2]} on {non_text[1]}")
        if body:
            lines.append(f"  smallest body text: {body[0][0]} px — {body[0][1]} on {body[1]}")
        if small:
            lines.append(f"  smallest text (incl. tags, hints): {small[0][0]} px — {small[0][1]} on {small[1]}")
        lines.append(f"  widest overflow: {wide[0][0]} px ({wide[0][1]}) — {wide[0][2]} on {wide[1]}" if wide else "  widest overflow: none (0 px)")
    return "\n".join(lines)


def write_index(cases: list[dict], problems: dict[str, list[str]], check: bool) -> None:
    """index.html: each page and state in a row, normal and 关怀模式 side by side, with its rule breaks."""
    rows = []
    seen = []
    for case in cases:
        key = case["id"].rsplit(".", 1)[0]
        if key not in seen:
            seen.append(key)
    for key in seen:
        cells = []
        for mode in ("normal", "care"):
            case_id = f"{key}.{mode}"
            found = problems.get(case_id, [])
            notes = "".join(f"<li>{html.escape(p)}</li>" for p in found[:12])
            more = f"<li>… {len(found) - 12} more</li>" if len(found) > 12 else ""
            full = OUT / "png" / f"{case_id}.full.png"
            link = f"png/{case_id}.full.png" if full.exists() and not check else f"png/{case_id}.png"
            cells.append(f'<figure><a href="{link}"><img src="png/{case_id}.png" width="375" height="812" loading="lazy"></a>'
                         f'<figcaption>{"关怀模式" if mode == "care" else "普通"} · <a href="{link}">整页</a> · <a href="html/{case_id}.html">html</a>'
                         f'{f"<ul>{notes}{more}</ul>" if found else " · ✓"}</figcaption></figure>')
        page, role, state = key.split(".")
        rows.append(f'<section id="{html.escape(key)}"><h2>{html.escape(page)} <small>{role} · {state}</small></h2>'
                    f'<div class="pair">{"".join(cells)}</div></section>')
    toc = "".join(f'<a href="#{html.escape(k)}">{html.escape(k)}</a>' for k in seen)
    (OUT / "index.html").write_text(f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>社区五单 · 小程序页面一览</title>
<style>body{{font:14px sans-serif;margin:16px;background:#eee}} nav{{columns:4;margin-bottom:16px}} nav a{{display:block}}
section{{margin:24px 0}} .pair{{display:flex;gap:24px;align-items:flex-start}} figure{{margin:0;width:375px}}
img{{border:1px solid #999;background:#fff}} figcaption ul{{color:#a00;padding-left:18px;margin:4px 0}}</style></head>
<body><h1>社区五单 · 小程序页面一览 <small>{len(cases)} renders, {time.strftime('%Y-%m-%d %H:%M')}</small></h1>
<nav>{toc}</nav>{''.join(rows)}</body></html>""", encoding="utf-8")


def run(check: bool, only: str | None = None, render: bool = True) -> tuple[dict[str, list[str]], str]:
    if render:
        render_html(only)
    cases = json.loads((OUT / "cases.json").read_text(encoding="utf-8"))
    measured = shoot(cases, full=not check)
    problems: dict[str, list[str]] = {}
    figures: dict[str, dict] = {}
    for case in cases:
        problems[case["id"]], figures[case["id"]] = judge(case, measured[case["id"]])
    summary = summarise(cases, figures)
    (OUT / "checks.json").write_text(json.dumps({"problems": problems, "figures": figures, "measured": measured},
                                                ensure_ascii=False, indent=1), encoding="utf-8")
    (OUT / "figures.txt").write_text(summary + "\n", encoding="utf-8")
    write_index(cases, problems, check)
    return problems, summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="exit 1 when a page breaks a rule")
    parser.add_argument("--only", help="a regular expression over case ids (e.g. '^home')")
    parser.add_argument("--no-render", action="store_true", help="reuse build/gallery/html")
    args = parser.parse_args()
    if not os.path.exists(CHROMIUM):
        print(f"{CHROMIUM} is missing: run `make browser`", file=sys.stderr)
        return 2
    started = time.monotonic()
    problems, summary = run(args.check, args.only, not args.no_render)
    broken = {k: v for k, v in problems.items() if v}
    for case_id, found in broken.items():
        print(case_id)
        for problem in found:
            print("   ", problem)
    print(summary)
    print(f"{len(problems)} renders in {time.monotonic() - started:.0f} s; {sum(map(len, broken.values()))} rule breaks "
          f"on {len(broken)} renders → {OUT / 'index.html'}")
    return 1 if args.check and broken else 0


if __name__ == "__main__":
    sys.exit(main())
