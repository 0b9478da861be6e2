"""Control endpoints of the webhook emitter and the merge a bookkeeper makes in QuickBooks' own
screens (the Accounting API has no merge), for tests that drive a sandbox in another process.
Registered on the control blueprint, so the JSON-only rule of `control/views.py` applies.

  GET  /_sandbox/webhooks            settings (without the verifier token), pending, last deliveries
  POST /_sandbox/webhooks            {"enabled", "urls", "verifier_token", "content_type",
                                      "format", "time_compression", "timeout_seconds",
                                      "background", "entities"} (any subset)
  POST /_sandbox/webhooks/flush      deliver what is due now; {"advance_seconds": N} first moves
                                      the emitter's clock N seconds of Intuit time
  POST /_sandbox/customers/merge     {"realm_id", "from": loser Id, "into": survivor Id}
"""
from __future__ import annotations

from flask import Response, current_app, jsonify, request

from qbo_sandbox import jsonutil, webhooks
from qbo_sandbox.accounting import bookkeeping, faults
from qbo_sandbox.accounting.company import ensure_company
from qbo_sandbox.accounting.context import Ctx
from qbo_sandbox.control.views import bp

RECENT_DELIVERIES = 50


def _emitter():
    return webhooks.emitter_of(current_app)


def _state():
    emitter = _emitter()
    return {**emitter.settings.public(), "pending": emitter.pending(),
            "deliveries": emitter.log[-RECENT_DELIVERIES:]}


@bp.get("/webhooks")
def get_webhooks():
    return jsonify(_state())


@bp.post("/webhooks")
def set_webhooks():
    data = request.get_json()
    if not isinstance(data, dict):
        return jsonify({"error": "send a JSON object of settings"}), 400
    try:
        _emitter().configure(**data)
    except (TypeError, ValueError) as exc:
        return jsonify({"error": str(exc)}), 400
    return jsonify(_state())


@bp.post("/webhooks/flush")
def flush_webhooks():
    data = request.get_json() or {}
    try:
        advance = float(data.get("advance_seconds", 0))
    except (TypeError, ValueError):
        return jsonify({"error": "advance_seconds must be a number"}), 400
    if advance < 0:
        return jsonify({"error": "advance_seconds cannot be negative"}), 400
    _emitter().advance(advance)
    return jsonify({"delivered": _emitter().flush(), "pending": _emitter().pending()})


@bp.post("/customers/merge")
def merge_customers():
    data = request.get_json() or {}
    realm_id = str(data.get("realm_id") or "")
    store = current_app.extensions["qbo_sandbox.store"]
    try:
        with store.transaction() as tx:
            if tx.company(realm_id) is None:
                return jsonify({"error": "no such company"}), 404
            ctx = Ctx(tx, realm_id, ensure_company(tx, realm_id))
            survivor = bookkeeping.merge_customers(ctx, data.get("from"), data.get("into"))
    except faults.QboFault as fault:
        return jsonify({"Fault": fault.fault_json()}), fault.status
    webhooks.publish(current_app, realm_id, ctx.changes, ctx.now)
    return Response(jsonutil.dumps({"Customer": survivor}), mimetype="application/json")  # QBO's numbers
