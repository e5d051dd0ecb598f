"""The bare-server ceiling of the HTTP load benchmark: a WSGI callable with no framework."""

BODY = b'{"ok": true}'


def application(environ: dict, start_response) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", "12")])
    return [BODY]
