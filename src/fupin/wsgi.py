"""The WSGI application, as ``django-admin startproject`` writes it. Served by gunicorn with
:mod:`fupin.web.gunicorn_conf` (docs/operations.md)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")

application = get_wsgi_application()
