"""gunicorn's settings wherever the service is served (the image, docker-compose's web, ``make
production-local``, ``make load``): ``gunicorn -c python:youthservice.gunicorn``.

Two processes a core, one request at a time in each (GUNICORN_WORKERS, GUNICORN_THREADS): the pages
are mostly Python, and four threads a process spent their time passing the interpreter's lock between
them (``make load`` on 2 cores: p95 395 ms with 3 processes of 4 threads, 255 ms with 4 of 1). The
threaded worker still keeps a browser's connection open between pages, for longer than people pause:
a server that closes an idle connection first resets the request a client sends on it at that moment
(the load test saw 22 such resets in 7,400 requests with gunicorn's 2-second default).

The access log carries no personal data: a line names the method, the path (its query string and any
link's secret removed: ``core.logs.redact_path``), the status, size and time; no referrer (it can hold
another page's query)."""

import os

from gunicorn.glogging import Logger

from core.logs import redact_path

wsgi_app = "youthservice.wsgi:application"
bind = [os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")]
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * (os.cpu_count() or 1)))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
keepalive = 75  # seconds: longer than a browser's pause between pages and a proxy's idle timeout
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
logger_class = "youthservice.gunicorn.RedactingLogger"


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        path = redact_path(environ.get("RAW_URI") or environ.get("PATH_INFO") or "")
        atoms.update(
            r=f"{environ.get('REQUEST_METHOD')} {path} {environ.get('SERVER_PROTOCOL')}",
            U=path,
            q="",
            f="-",
        )
        for key in [key for key in atoms if key.startswith("{") and key.endswith("}i")]:
            if key.lower() in ("{referer}i", "{cookie}i", "{authorization}i"):
                atoms[key] = "-"
        return atoms
