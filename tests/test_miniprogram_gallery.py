"""The mini-program's pages as users see them: every page of app.json, per role and state, in normal and
关怀模式, rendered in Chromium at 375 px (scripts/gallery.py, the same run as `make screenshots`).

Without /usr/bin/chromium or the jest toolchain (node_modules) this test skips loudly; under CI=true it fails.
The figures (smallest tap target per mode, lowest contrast, widest overflow) are printed at the end of the run.
"""
import importlib.util
import os
import shutil
from pathlib import Path

from tests.conftest import unavailable

ROOT = Path(__file__).resolve().parent.parent


def _gallery():
    spec = importlib.util.spec_from_file_location("gallery", ROOT / "scripts" / "gallery.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_page_keeps_the_rules_for_tap_targets_text_contrast_and_overflow():
    """Does every rendered page keep 44 px tap targets (60 px tall in 关怀模式), 17/20 px body text, 4.5:1 text and
    3:1 control contrast, nothing wider than the screen or out of its box, and no English or raw codes?"""
    if not os.path.exists("/usr/bin/chromium"):
        unavailable("/usr/bin/chromium is missing: the mini-program's page gallery checks are SKIPPED — run `make browser`")
    if not (ROOT / "node_modules" / ".bin" / "jest").exists() or not shutil.which("npx"):
        unavailable("node_modules is missing: the mini-program's page gallery checks are SKIPPED — run `make node_modules/.installed`")
    gallery = _gallery()
    problems, summary = gallery.run(check=True)
    broken = [f"{case}: {problem}" for case, found in problems.items() for problem in found]
    assert len(problems) > 100, "the gallery rendered too few pages"
    assert not broken, "\n".join(broken[:60]) + f"\n({len(broken)} rule breaks)\n" + summary
