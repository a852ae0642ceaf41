"""A server process's long-lived objects out of the garbage collector's way (issue 11).

A worker builds most of what it keeps in its first requests — URL resolvers, compiled templates
and queries, translation catalogues, the menus and grants it caches: ≈ 165 000 objects, which
every full collection walks again. On a 2-core server that walk took 50–110 ms, spent inside
whichever request allocated the object that tipped the count — a stall the 99th percentile shows.
So after its first requests (:data:`AFTER`) the process collects once and freezes what survived
(:func:`gc.freeze`): later collections look only at what is new. Objects frozen and later
dropped stay in memory — a one-time snapshot, a few megabytes at most.

Installed by ``fupin.wsgi`` only: tests and commands collect as usual.
"""

from __future__ import annotations

import gc

from django.core.signals import request_finished

AFTER = (50, 500)  # requests: the common pages by the first; the rarer ones' caches by the second

_served = 0


def _settle(**_: object) -> None:
    global _served
    _served += 1
    if _served in AFTER:
        gc.collect()
        gc.freeze()


def install() -> None:
    request_finished.connect(_settle, dispatch_uid="fupin.web.settle")
