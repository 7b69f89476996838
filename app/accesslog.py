"""What request lines may say in a log: no phone numbers, no console ticket ids.

A phone number in a query string (`/users?q=13812345678`, an order search) is shown masked (`138****5678`),
as the API shows it; a 扫码登录 ticket id in a path (`/auth/console-tickets/<ticket>/…`, the console's QR image
and landing page) becomes `***`, since
whoever reads the log must not be able to collect a staff member's login with it. gunicorn's access log uses
`RedactingLogger` (gunicorn.conf.py: logger_class); the development server's request lines pass through
`RedactingFilter` (create_app).
"""
import logging
import re

from gunicorn.glogging import Logger

PHONE = re.compile(r"(?<!\d)((?:86)?1[3-9]\d)\d{4}(\d{4})(?!\d)")
TICKET = re.compile(r"(/auth/console-tickets/|/console/qr/|/console/login/)[A-Za-z0-9_-]+")


def redact(text):
    """The text with phone numbers masked and console ticket ids replaced (anything not a str: unchanged)."""
    if not isinstance(text, str) or not text:
        return text
    return TICKET.sub(r"\1***", PHONE.sub(r"\1****\2", text))


class RedactingLogger(Logger):
    """gunicorn's logger, whose access log atoms for the request line, path, query and referer are redacted."""

    REDACTED_ATOMS = ("r", "U", "q", "f")

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for name in self.REDACTED_ATOMS:
            atoms[name] = redact(atoms.get(name))
        if "{referer}i" in atoms:
            atoms["{referer}i"] = redact(atoms["{referer}i"])
        return atoms


class RedactingFilter(logging.Filter):
    """Redacts the request line werkzeug's development server logs (its arguments and message)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) for arg in record.args)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True
