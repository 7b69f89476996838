"""gunicorn settings, every one overridable from the environment.

    gunicorn -c gunicorn.conf.py wsgi:app

GUNICORN_WORKERS (default 2 × cores + 1), GUNICORN_THREADS (default 1: sync workers),
GUNICORN_BIND (default 127.0.0.1:8000; a reverse proxy such as nginx sits in front),
GUNICORN_TIMEOUT (30 s), GUNICORN_ACCESS_LOG ("-" for stdout; off by default: nginx logs requests),
GUNICORN_ACCESS_LOG_FORMAT (gunicorn's atoms, e.g. "%(p)s %(s)s %(U)s" adds the worker's pid),
GUNICORN_MAX_REQUESTS (recycle a worker after this many requests; 0 = never).
"""
import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
workers = _int("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1)
threads = _int("GUNICORN_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
backlog = _int("GUNICORN_BACKLOG", 2048)
max_requests = _int("GUNICORN_MAX_REQUESTS", 0)
max_requests_jitter = max_requests // 10
# Load the app once in the master: workers fork with the code already imported (less memory,
# faster restarts). Database connections are opened lazily, after the fork (see post_fork).
preload_app = True
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
access_log_format = os.environ.get("GUNICORN_ACCESS_LOG_FORMAT") or \
    '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
# Request lines are logged without phone numbers (masked) or console ticket ids (app/accesslog.py).
logger_class = "app.accesslog.RedactingLogger"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "sqwd"
# Which peers gunicorn lets set the scheme (X-Forwarded-Proto and the like): only that. gunicorn never takes
# the client's address from X-Forwarded-For; the app does, for exactly TRUSTED_PROXY_HOPS proxies (ProxyFix).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")


def pre_fork(server, worker):
    """Move everything the preloaded app made into the garbage collector's permanent generation: workers
    then never scan those objects (shorter collection pauses, fewer copy-on-write pages)."""
    import gc

    gc.freeze()


def post_fork(server, worker):
    """Never share a pooled connection made in the master with a forked worker."""
    from app.extensions import db

    app = server.app.wsgi()
    with app.app_context():
        db.engine.dispose(close=False)
