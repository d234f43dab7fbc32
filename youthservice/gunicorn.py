"""gunicorn's access log without personal data: a line names the method, the path (its query string
and any link's secret removed: ``core.logs.redact_path``), the status, size and time; no referrer (it
can hold another page's query). Used by docker-compose's web and ``make production-local``:
``gunicorn --logger-class youthservice.gunicorn.RedactingLogger``."""

from gunicorn.glogging import Logger

from core.logs import redact_path


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
