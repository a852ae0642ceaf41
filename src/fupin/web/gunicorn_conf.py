"""gunicorn's configuration for Fupin: ``gunicorn -c python:fupin.web.gunicorn_conf -w 2 -b
127.0.0.1:8000``. It names the application (the standard ``fupin.wsgi``) and settles each worker
after its first requests (:mod:`fupin.web.settle`) from gunicorn's own ``post_request`` hook.
Options given on the command line add to these."""

from __future__ import annotations

from fupin.web import settle

wsgi_app = "fupin.wsgi:application"


def post_request(worker, req, environ, resp) -> None:
    settle.request_done()
