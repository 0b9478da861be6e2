"""Intuit's webhooks, emitted by the sandbox: every entity change the API or the browser view
makes is queued and delivered, signed, to the registered URLs (`emitter.py`, bodies and
signature in `envelope.py`). Off unless turned on (WEBHOOK_ENABLED, `--webhook-url`, or
`POST /_sandbox/webhooks`).

Config keys (the emitter's Settings): WEBHOOK_ENABLED, WEBHOOK_URLS, WEBHOOK_VERIFIER_TOKEN,
WEBHOOK_CONTENT_TYPE, WEBHOOK_FORMAT, WEBHOOK_TIME_COMPRESSION, WEBHOOK_TIMEOUT_SECONDS,
WEBHOOK_BACKGROUND, WEBHOOK_ENTITIES.
"""
from __future__ import annotations

import atexit
import weakref

from qbo_sandbox.webhooks.emitter import Emitter, Settings
from qbo_sandbox.webhooks.envelope import Event

EXTENSION = "qbo_sandbox.webhooks"


def init_app(app) -> Emitter:
    fields = Settings.__dataclass_fields__
    values = {name: app.config[f"WEBHOOK_{name.upper()}"] for name in fields
              if f"WEBHOOK_{name.upper()}" in app.config}
    emitter = Emitter(Settings(**values))
    app.extensions[EXTENSION] = emitter
    atexit.register(_close_if_alive, weakref.ref(emitter))  # no delivery thread outlives Python
    return emitter


def _close_if_alive(ref) -> None:
    emitter = ref()
    if emitter is not None:
        emitter.close(timeout=1.0)


def emitter_of(app) -> Emitter:
    return app.extensions[EXTENSION]


def publish(app, realm_id: str, changes: list, when) -> None:
    """Queue the changes one committed operation made (Ctx.changes) as webhook events."""
    if not changes:
        return
    events = [Event(realm_id, entity, entity_id, operation, when, data)
              for entity, entity_id, operation, data in changes]
    emitter_of(app).publish(events)


def close(app) -> None:
    """Tear-down: stop the app's delivery thread (tests call this; atexit does it otherwise)."""
    emitter = app.extensions.get(EXTENSION)
    if emitter is not None:
        emitter.close()
