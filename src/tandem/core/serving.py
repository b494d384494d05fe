"""The WSGI application ``tandem serve`` runs, loaded once in gunicorn's master (``--preload``)
and shared by the workers it forks.

Before the application is built the installation is brought up to date (pending migrations,
stale static files: see :mod:`tandem.core.startup`), since WhiteNoise lists the static files
when the application is built. Then every URL's view is imported and the objects made so far
are frozen out of the garbage collector, so that the forked workers start warm and share
those pages of memory instead of copying them.
"""

from __future__ import annotations

import gc
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402  (after django.setup())
from django.db import connections  # noqa: E402
from django.urls import get_resolver  # noqa: E402

from tandem.core.startup import serve_prepare  # noqa: E402

for _step in serve_prepare():
    print(f"tandem: {_step}", file=sys.stderr, flush=True)

application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018  (imports every view module now, in the master)
connections.close_all()  # never share a database connection with the forked workers
gc.freeze()
