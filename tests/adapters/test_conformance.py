"""Every installed adapter through the conformance kit (`crosspost.testing.AdapterContract`).

The list is the entry-point registry: a fifth built-in or a plugin installed in this environment
gets its contract tests generated here without editing this file, and an adapter the kit cannot
drive (no fake, no create route) fails `test_the_adapter_declares_a_fake_the_kit_can_drive`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from crosspost.adapter import ApiSettings, BaseAdapter, Capabilities, Payload
from crosspost.document import Document, RemotePost
from crosspost.fake import FakePlatform
from crosspost.testing import AdapterContract, conformance_problems, installed_adapters

for _name, _adapter in installed_adapters().items():
    _class = f"TestContract_{_name}"
    globals()[_class] = type(_class, (AdapterContract,), {"adapter": _adapter})


def test_every_built_in_is_tested_through_the_registry() -> None:
    generated = {name.removeprefix("TestContract_") for name in globals() if "Contract_" in name}
    assert {"devto", "hashnode", "medium", "mastodon"} <= generated == set(installed_adapters())


@dataclass(frozen=True)
class _Settings(ApiSettings):
    api_url: str = "https://example.com"


class _Undeclared(BaseAdapter):
    name: ClassVar[str] = "undeclared"
    capabilities: ClassVar[Capabilities] = Capabilities(limits={"create": "ten per minute"})
    Settings: ClassVar[type[_Settings]] = _Settings

    def render(self, doc: Document, *, draft: bool = False) -> Payload:
        return Payload(self.name, {})

    async def create(self, payload: Payload, *, key: str) -> RemotePost:
        return RemotePost(id="1")

    async def update(self, remote: RemotePost, payload: Payload) -> RemotePost:
        return remote

    async def find(self, doc: Document) -> RemotePost | None:
        return None


class FakeWithoutRoute(FakePlatform):
    name: ClassVar[str] = "other-name"
    platform_faults: ClassVar[Any] = {"solar-flare": {}}


def test_an_adapter_without_a_fake_is_named_by_the_kit() -> None:
    assert conformance_problems(_Undeclared) == [
        'declares no fake (set `fake = "module:FakeClass"` on the adapter class)'
    ]


def test_a_fake_without_declarations_is_named_by_the_kit() -> None:
    class Declared(_Undeclared):
        fake: ClassVar[str | None] = f"{__name__}:FakeWithoutRoute"

    assert conformance_problems(Declared) == [
        "its fake calls itself 'other-name', not 'undeclared'",
        "its fake FakeWithoutRoute declares no `create_route` (how a create request looks)",
        "its fake declares unknown faults: solar-flare",
        "its limit create = 'ten per minute' does not parse: "
        "expected COUNT/PERIOD like '10/30s', got 'ten per minute'",
    ]
