"""HTTP control endpoints so a test can steer a sandbox running in another process.

Enabled by KNOBS_HTTP_ENABLED (default True for local use; turn it off anywhere shared).

Every request that changes something must be sent as `Content-Type: application/json` (an empty
reset too). A web page the developer happens to visit can POST `text/plain` or form bodies to
localhost without asking; a JSON content type makes the browser ask first (CORS preflight), and
the sandbox never says yes, so no other site can inject faults or flip knobs.
"""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, current_app, jsonify, request

from qbo_sandbox import clock
from qbo_sandbox.accounting import company as companies

bp = Blueprint("qbo_sandbox_control", __name__, url_prefix="/_sandbox")


@bp.before_request
def _json_only_for_changes():
    if request.method not in ("GET", "HEAD", "OPTIONS") and not request.is_json:
        return jsonify({"error": "send Content-Type: application/json"}), 415
    return None


def _knobs():
    return current_app.extensions["qbo_sandbox.knobs"]


@bp.get("/knobs")
def get_knobs():
    return jsonify(_knobs().as_dict())


@bp.post("/knobs")
def set_knobs():
    try:
        _knobs().update(request.get_json() or {})
    except (TypeError, ValueError) as exc:
        return jsonify({"error": str(exc)}), 400
    return jsonify(_knobs().as_dict())


@bp.post("/knobs/reset")
def reset_knobs():
    _knobs().reset()
    return jsonify(_knobs().as_dict())


@bp.post("/faults")
def add_fault():
    spec = dict(request.get_json() or {})
    try:
        rule = _knobs().add_fault(spec.pop("kind", ""), **spec)
    except (TypeError, ValueError) as exc:
        return jsonify({"error": str(exc)}), 400
    return jsonify(rule.as_dict()), 201


@bp.delete("/faults")
def clear_faults():
    _knobs().clear_faults()
    return jsonify({"faults": []})


@bp.get("/faults/log")
def fault_log():
    return jsonify({"log": list(_knobs().log)})


@bp.post("/companies")
def create_company():
    """Create an empty company: {"realm_id"?, "name"?, "preferences"?, "tax_mode"?}."""
    data = request.get_json() or {}
    realm_id = str(data.get("realm_id") or companies.new_realm_id())
    store = current_app.extensions["qbo_sandbox.store"]
    with store.transaction() as tx:
        prefs = companies.default_preferences(**data.get("preferences", {}))
        try:
            companies.create_company(tx, realm_id, data.get("name", "Sandbox Company"), preferences=prefs,
                                     tax_mode=data.get("tax_mode", current_app.config["TAX_MODE"]))
        except ValueError as exc:
            return jsonify({"error": str(exc)}), 400
    return jsonify({"realm_id": realm_id}), 201


@bp.post("/clock")
def move_clock():
    """Move the sandbox clock: {"advance_days": N} (tokens expire, the month turns)."""
    data = request.get_json() or {}
    try:
        days = float(data.get("advance_days", 0))
    except (TypeError, ValueError):
        return jsonify({"error": "advance_days must be a number"}), 400
    if not -36500 <= days <= 36500:
        return jsonify({"error": "advance_days must be within ±36500"}), 400
    clock.set_shift(clock.shift() + timedelta(days=days))
    return jsonify({"now": clock.utcnow().isoformat(), "shift_days": clock.shift() / timedelta(days=1)})


@bp.get("/usage")
def usage():
    """CorePlus reads and Core writes of this month per realm: {"realms": {id: {reads, writes}}}."""
    return jsonify(current_app.extensions["qbo_sandbox.usage"].this_month())


@bp.post("/preferences")
def set_preferences():
    """Merge preference groups into every company (or ?realmId=), e.g. a closing date:
    {"AccountingInfoPrefs": {"BookCloseDate": "YYYY-MM-DD"}}. No SyncToken needed."""
    data = request.get_json()
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        return jsonify({"error": "send {\"Group\": {\"Name\": value}, ...}"}), 400
    close = data.get("AccountingInfoPrefs", {}).get("BookCloseDate")
    if close is not None and not _is_iso_date(close):
        return jsonify({"error": "BookCloseDate must be YYYY-MM-DD"}), 400
    store = current_app.extensions["qbo_sandbox.store"]
    wanted = request.args.get("realmId")
    with store.transaction() as tx:
        realms = [r["realm_id"] for r in tx.companies() if wanted in (None, r["realm_id"])]
        if not realms:
            return jsonify({"error": "no such company"}), 404
        for realm_id in realms:
            companies.merge_preferences(tx, realm_id, data)
    return jsonify({"realms": realms})


def _is_iso_date(text) -> bool:
    try:
        date.fromisoformat(str(text))
    except ValueError:
        return False
    return len(str(text)) == 10
