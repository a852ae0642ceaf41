"""The village kit's pages (issue 27 (8)): the app itself, its service worker and its manifest.
The service worker keeps the app and its static files on the phone, so the app opens with no
signal; the app keeps the kit and the queue of entries in the phone's storage."""

from __future__ import annotations

import hashlib
import json

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.cache import never_cache

from fupin.accounts.decorators import requires

ASSETS = ("fupin/app.css", "vendor/htmx.min.js", "fupin/app.js", "fupin/field.js", "fupin/favicon.svg")


@requires("field.use")
def field_app(request):
    return render(request, "field/app.html", {})


@never_cache
def service_worker(request):
    """The service worker, at /field/ so that it serves the kit's pages and nothing else; its
    cache is named after the assets' contents, so a new release replaces the old files."""
    assets = [staticfiles_storage.url(a) for a in ASSETS]
    digest = hashlib.sha256("|".join(assets).encode())
    for a in ASSETS:
        found = finders.find(a)
        if found:
            with open(found, "rb") as f:
                digest.update(f.read())
    version = digest.hexdigest()[:12]
    body = render_to_string(
        "field/sw.js", {"assets_json": json.dumps(assets), "version": version, "shell": reverse("field_app")}
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/field/"
    return response


def manifest(request):
    icon = staticfiles_storage.url("fupin/favicon.svg")
    body = render_to_string("field/manifest.webmanifest", {"icon": icon})
    return HttpResponse(body, content_type="application/manifest+json; charset=utf-8")
