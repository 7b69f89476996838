"""Serve a fresh demo world over real HTTP for the mini-program's end-to-end tests (jest, tests/miniprogram/e2e).

A new SQLite database in a temporary directory, the schema from the models, `flask seed-demo`'s world, dev-mode
login (no WeChat credentials), the limits off; then the app on a free loopback port with Werkzeug's threaded
server (what `flask run` uses). Prints one JSON line {"url", "ids"} when it is ready; stops when killed.
"""
import json
import secrets
import shutil
import signal
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from werkzeug.serving import make_server  # noqa: E402

from app import create_app  # noqa: E402
from app.demo import seed_demo  # noqa: E402
from app.extensions import db  # noqa: E402


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # so that the temporary directory goes too
    workdir = Path(tempfile.mkdtemp(prefix="mp-e2e-"))
    try:
        app = create_app("development", SQLALCHEMY_DATABASE_URI=f"sqlite:///{workdir / 'e2e.db'}",
                         UPLOAD_DIR=str(workdir / "uploads"), RATELIMIT_ENABLED=False,
                         SECRET_KEY=secrets.token_hex(32), WECHAT_APP_ID=None, WECHAT_APP_SECRET=None)
        with app.app_context():
            db.create_all()
            ids = seed_demo()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        print(json.dumps({"url": f"http://127.0.0.1:{server.server_port}", "ids": ids}, ensure_ascii=False),
              flush=True)
        server.serve_forever()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
