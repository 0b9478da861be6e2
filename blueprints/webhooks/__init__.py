"""Webhooks from outside (issue 15): Intuit's QuickBooks deliveries at /webhooks/quickbooks.

No sign-in and no CSRF token (Intuit's servers send them): the `intuit-signature` HMAC with the
verifier token is what authenticates a delivery. Answers fast and processes after:
- 404 when webhooks are off (no verifier token configured);
- 401 for a missing or wrong signature — not from Intuit, so nothing to redeliver (Intuit only
  resends what its own signed requests did not get a 2xx for);
- 200 for every signed delivery, even one whose body cannot be used: a 400 would make Intuit
  resend the whole batch again and again. Events are recorded (once per event id) and the poller
  is asked to check the companies they name; the poll is the source of truth.
"""
from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, jsonify, request

from access import public
from extensions import csrf

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
log = logging.getLogger(__name__)


@bp.route("/quickbooks", methods=["POST"])
@public
@csrf.exempt
def quickbooks():
    from services.payments import runner, webhooks
    from services.qbo_connection import current_realm

    token = current_app.config.get("QBO_WEBHOOK_VERIFIER_TOKEN") or ""
    if not token:
        abort(404)
    body = request.get_data(cache=False)
    if not webhooks.signature_ok(body, request.headers.get("intuit-signature"), token):
        log.warning("QuickBooks webhook refused: bad or missing signature")
        return jsonify({"error": "signature"}), 401
    realm_id = current_realm()
    recorded = webhooks.record(webhooks.parse_delivery(body), {realm_id} if realm_id else set())
    app = current_app._get_current_object()
    for realm in recorded.realms:  # after recording, in the background: the answer goes out now
        runner.check_soon(app, realm)
    return jsonify({"new": recorded.new, "repeated": recorded.repeated, "ignored": recorded.ignored}), 200
