import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
application = get_wsgi_application()

from fupin.web import settle  # noqa: E402  (needs the settings above)

settle.install()
