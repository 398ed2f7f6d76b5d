"""crosspost's conformance kit on this adapter: the contract checks and the fault matrix that the
built-in adapters pass, run against the fake this package ships (`Webhook.fake`)."""

from __future__ import annotations

from crosspost_webhook import Webhook

from crosspost.testing import AdapterContract, FaultMatrix


class TestWebhookContract(AdapterContract):
    adapter = Webhook


class TestWebhookFaults(FaultMatrix):
    adapter = Webhook
