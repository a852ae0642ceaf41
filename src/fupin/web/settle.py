"""A server process's long-lived objects out of the garbage collector's way (issue 11).

A worker builds most of what it keeps in its first requests — URL resolvers, compiled templates,
translation catalogues, the menus and grants it caches: ≈ 165 000 objects, which every full
collection walks again, a stall inside whichever request allocated the object that tipped the
count (docs/performance.md). So after its first requests (:data:`AFTER`) the process collects
once and freezes what survived (:func:`gc.freeze`): later collections look only at what is new.
Objects frozen and later dropped stay in memory — a one-time snapshot, a few megabytes at most.

Called by the gunicorn configuration's ``post_request`` hook (:mod:`fupin.web.gunicorn_conf`)
only: tests, commands and ``runserver`` collect as usual.
"""

from __future__ import annotations

import gc

AFTER = (50, 500)  # requests: the common pages by the first; the rarer ones' caches by the second

_served = 0


def request_done() -> None:
    """One more request served by this process; settle after the :data:`AFTER`-th."""
    global _served
    _served += 1
    if _served in AFTER:
        gc.collect()
        gc.freeze()
