"""The cycle collector paused while a run builds a large tree of new objects (docs/architecture.md
§7, the no-op fast path).

CPython's collector runs each time enough new containers have been made, and now and then walks
every container alive. A run over 10,000 posts makes about a hundred thousand in a row (the
records' JSON, the plan's placed posts) and the body transform of a long post hundreds of
thousands (a line, a token, a span each), none of them in a cycle; the collector, set off again
and again, walks them all each time: a third of placing the posts, a fifth of parsing the
records, a sixth of transforming a long post. Paused there, it runs as before afterwards;
nothing is left uncollected, only later.

A tree kept for the whole run (the records as read) is then moved to the oldest generation
(`settle`): young collections would walk it again before it got there.
"""

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["paused", "settle"]


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """No cycle collection inside (a `with` block, or a function it decorates: `@paused()`);
    enabled again after, unless the caller had paused it.

    The collector is one switch for the whole process. A pause that finds it paused (by the
    caller, by a pause inside a pause, or by one in another thread) leaves it as it is, and only
    the pause that turned it off turns it on again, errors included: it is never left paused.
    Overlapping pauses in threads may resume it while another still runs (that one is only
    slower then), and a caller that pauses it while a pause runs in another thread finds it
    resumed when that one ends."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def settle() -> None:
    """Every object alive moved to the oldest generation now, unwalked: called once a large
    tree that is kept (the records as read) has been built under a pause.

    Left young, those objects would be walked by the next young collection, by the one after
    it that collects the middle generation, and may set off a full one: 4 ms of a no-op run
    for 10,000 posts. In the oldest generation only full collections walk them, as they would
    have been walked at last anyway. The collector's own freeze does it (`gc.freeze` then
    `gc.unfreeze`: the frozen objects go to the oldest generation), so it is done only when
    nothing else is frozen: a process that froze objects on purpose (a server before it
    forks) keeps them frozen. A cycle already garbage goes with the rest, and is freed by the
    next full collection rather than a young one."""
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()
