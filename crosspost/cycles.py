"""The cycle collector paused while a run builds a large tree of new objects (docs/architecture.md
§7, the no-op fast path).

CPython's collector runs each time enough new containers have been made, and now and then walks
every container alive. A run over 10,000 posts makes about a hundred thousand in a row (the
records' JSON, the plan's placed posts), none of them in a cycle, and the collector, set off
again and again, walks them all each time: a third of placing the posts, a fifth of parsing the
records. Paused there, it runs as before afterwards; nothing is left uncollected, only later.
"""

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["paused"]


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """No cycle collection inside (a `with` block, or a function it decorates: `@paused()`);
    enabled again after, unless the caller had paused it."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
