"""crosspost's conformance kit: the checks every adapter passes, for an adapter and its fake.

An adapter author's whole test of the contract (see docs/writing-an-adapter-testing.md)::

    from crosspost.testing import AdapterContract, FaultMatrix
    from my_package import MyAdapter

    class TestContract(AdapterContract):
        adapter = MyAdapter

    class TestFaults(FaultMatrix):
        adapter = MyAdapter

`AdapterContract` checks create, unchanged, update, drafts, find (an interrupted create), tag
limits, pacing and tokens (refused, quoted back) through crosspost's own engine against the
fake the adapter names in `fake`. `FaultMatrix` injects every fault the platform can have
(`FaultCase`, `FAULTS`; platform-specific ones only where the fake declares them in
`platform_faults`) and proves each ends with exactly one copy and no token anywhere.
`Canaries` are the unique tokens that prove it. `installed_adapters` is the registry the
built-ins' tests iterate, and `conformance_problems` what keeps an adapter out of the kit.

A test-time module: it imports pytest, and nothing in crosspost's runtime imports it.
"""

from __future__ import annotations

from .blog import (
    FAST_RETRIES,
    TIME_SCALE,
    publish_blog,
    run_publish,
    sample_document,
    sandbox_blog,
    set_platform_options,
    write_posts,
)
from .canary import Canaries, exception_texts
from .contract import AdapterContract, PlatformUnderTest
from .faults import EXPECTED, FAULTS, FaultCase, FaultMatrix, Outcome, fault_cases
from .registry import conformance_problems, fake_of, installed_adapters, installed_platforms

__all__ = [
    "EXPECTED",
    "FAST_RETRIES",
    "FAULTS",
    "TIME_SCALE",
    "AdapterContract",
    "Canaries",
    "FaultCase",
    "FaultMatrix",
    "Outcome",
    "PlatformUnderTest",
    "conformance_problems",
    "exception_texts",
    "fake_of",
    "fault_cases",
    "installed_adapters",
    "installed_platforms",
    "publish_blog",
    "run_publish",
    "sample_document",
    "sandbox_blog",
    "set_platform_options",
    "write_posts",
]
