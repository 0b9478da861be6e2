"""HTTP surface of the Accounting API: auth, throttle, requestid replay, dispatch, envelopes."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from qbo_sandbox import clock, jsonutil, webhooks
from qbo_sandbox.accounting import auth, faults, service
from qbo_sandbox.accounting.company import ensure_company
from qbo_sandbox.accounting.context import Ctx
from qbo_sandbox.accounting.ops import read
from qbo_sandbox.accounting.schema import BY_PATH
from qbo_sandbox.control import usage
from qbo_sandbox.control.faults import new_tid

bp = Blueprint("qbo_api", __name__)

JSON_OK = "application/json;charset=utf-8"
JSON_ERROR = "application/json"
REQUEST_ID_MAX = 50


def _response(status: int, body: str, content_type: str, extra_headers=None) -> Response:
    resp = Response(body, status=status, content_type=content_type)
    resp.headers["intuit_tid"] = new_tid()
    if status == 200:
        resp.headers["Qbo-Version"] = "sandbox"
        resp.headers["Cache-Control"] = "max-age=0, no-cache, no-store, must-revalidate, private"
        resp.headers["Expires"] = "0"  # every recorded 200 carries it (qbo_api spec/vcr/*)
    for key, value in (extra_headers or {}).items():
        resp.headers[key] = value
    return resp


def _fault_body(fault: faults.QboFault, tz: str | None) -> str:
    body = {"Fault": fault.fault_json()}
    if fault.with_time:
        body["time"] = clock.response_time(tz)
    return jsonutil.dumps(body)


def _ok_body(payload: dict, tz: str | None) -> str:
    payload = dict(payload)
    payload["time"] = clock.response_time(tz)
    if current_app.config.get("UNKNOWN_RESPONSE_FIELDS"):
        payload = _with_unknown_fields(payload)
    return jsonutil.dumps(payload)


UNKNOWN_FIELD = "SandboxFieldAddedIn2026"


def _with_unknown_fields(value):
    """Knob UNKNOWN_RESPONSE_FIELDS: Intuit now adds fields without a new minorversion, so every
    entity (a dict with an Id) and the envelope get one no client knows; clients must ignore it."""
    if isinstance(value, list):
        return [_with_unknown_fields(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: _with_unknown_fields(v) for k, v in value.items()}
    if "Id" in out or "time" in out:
        out[UNKNOWN_FIELD] = {"Note": "a field this client does not know", "Level": 1}
    return out


def _store():
    return current_app.extensions["qbo_sandbox.store"]


def _json_body():
    raw = request.get_data(cache=True)
    if not raw.strip():
        return None
    try:
        return jsonutil.loads(raw)
    except ValueError as exc:
        raise faults.fault(2010, "Request has invalid or unsupported property",
                           f"Property Name:{exc.__class__.__name__}: the request body is not valid JSON "
                           "specified is unsupported or invalid")


def _unsupported() -> faults.QboFault:
    # request.path is already relative to the mount point (script_root).
    return faults.unsupported_operation(request.path, request.base_url)


@bp.route("/v3/company/<realm_id>/<path:rest>", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
def dispatch(realm_id: str, rest: str):
    app = current_app._get_current_object()
    outcome = auth.check(app, request.headers.get("Authorization"), realm_id)
    if not outcome.ok:
        headers = {"WWW-Authenticate": auth.WWW_AUTHENTICATE} if outcome.status == 401 else {}
        return _response(outcome.status, jsonutil.dumps(outcome.body), JSON_ERROR, headers)
    knobs = app.extensions["qbo_sandbox.knobs"]
    if knobs.throttle_enabled:
        is_batch = rest.split("/")[0] == "batch"
        if not app.extensions["qbo_sandbox.throttle"].allow(knobs.throttle_limits, realm_id,
                                                            outcome.client_id, is_batch):
            return _response(429, faults.throttle_xml(clock.response_time(None)), "application/xml")
    metered = usage.is_read(request.method, rest) and not rest.startswith("batch")
    cap = app.config.get("COREPLUS_CAP")
    if metered and not app.extensions["qbo_sandbox.usage"].reads_left(realm_id, cap):
        return _response(429, jsonutil.dumps(faults.coreplus_cap_reached(cap)), JSON_ERROR)
    request_id = request.args.get("requestid") if request.method == "POST" else None
    if request_id is not None and len(request_id) > REQUEST_ID_MAX:
        return _response(400, _fault_body(faults.business_validation(
            f"You cannot enter more than {REQUEST_ID_MAX} characters in the request_id field."), None),
            JSON_ERROR)
    store = _store()
    with store.lock:  # replay check, execution and logging are one atomic step per realm
        if request_id:
            with store.transaction() as tx:
                logged = tx.logged_response(realm_id, request_id)
            if logged:
                status, body = logged
                return _response(status, body, JSON_OK if status == 200 else JSON_ERROR)
        status, body, tz = _execute(realm_id, rest, request_id)
    if status == 200 and not rest.startswith("batch"):  # a batch counts its own items
        app.extensions["qbo_sandbox.usage"].add(realm_id, reads=int(metered), writes=int(not metered))
    return _response(status, body, JSON_OK if status == 200 else JSON_ERROR)


def _execute(realm_id: str, rest: str, request_id: str | None):
    store = _store()
    tz = None
    try:
        if rest.split("/")[0] == "batch" and request.method == "POST":
            return _batch(realm_id, request_id)
        with store.transaction() as tx:
            company = ensure_company(tx, realm_id)
            tz = company["timezone"]
            ctx = Ctx(tx, realm_id, company, include=_include(),
                      deleted_suffix=current_app.config["DELETED_NAME_SUFFIX"])
            payload = _route(ctx, rest)
            body = _ok_body(payload, tz)
            if request_id:
                tx.log_response(realm_id, request_id, 200, body)
        webhooks.publish(current_app, realm_id, ctx.changes, ctx.now)  # committed: tell the hooks
        return 200, body, tz
    except faults.QboFault as fault:
        body = _fault_body(fault, tz)
        if request_id and fault.status == 400:
            with store.transaction() as tx:
                tx.log_response(realm_id, request_id, fault.status, body)
        return fault.status, body, tz


def _include() -> set:
    return {part.strip().lower() for part in request.args.get("include", "").split(",") if part.strip()}


def _route(ctx: Ctx, rest: str) -> dict:
    parts = rest.split("/")
    head = parts[0]
    method = request.method
    if head == "query" and len(parts) == 1 and method in ("GET", "POST"):
        text = request.args.get("query")
        if text is None and method == "POST":
            text = request.form.get("query") if request.form else request.get_data(as_text=True)
        return {"QueryResponse": service.run_query(ctx, text or "")}
    if head == "cdc" and len(parts) == 1 and method == "GET":
        return service.cdc(ctx, request.args.get("entities"), request.args.get("changedSince"))
    if head == "companyinfo" and method == "GET" and len(parts) == 2:
        if parts[1] not in (ctx.realm_id, "1"):
            raise faults.object_not_found("")
        return {"CompanyInfo": ctx.company["company_info"]}
    if head == "preferences" and len(parts) == 1:
        if method == "GET":
            return {"Preferences": service.preferences(ctx)}
        if method == "POST":
            return {"Preferences": service.update_preferences(ctx, _json_body())}
    spec = BY_PATH.get(head)
    if spec is not None:
        if method == "GET" and len(parts) == 2:
            return {spec.name: read(ctx, spec, parts[1])}
        if method == "POST" and len(parts) == 1:
            operation = (request.args.get("operation") or "").lower()
            body = _json_body()
            if operation == "update" and "void" in ctx.include:
                operation = "void"
            elif not operation:
                has_id = isinstance(body, dict) and body.get("Id") not in (None, "")
                operation = "update" if has_id else "create"
            if operation not in ("create", "update", "delete", "void"):
                raise _unsupported()
            name, doc = service.write(ctx, head, operation, body)
            return {name: doc}
    raise _unsupported()


def _batch(realm_id: str, request_id: str | None):
    """Each item stands alone, as at Intuit: it succeeds or fails on its own (a savepoint each),
    inside one transaction for the whole request, committed once with the requestid's answer."""
    store = _store()
    body = _json_body()
    items = service.check_batch(body)
    include = _include()
    suffix = current_app.config["DELETED_NAME_SUFFIX"]
    results, committed = [], []
    with store.transaction(immediate=True) as tx:
        company = ensure_company(tx, realm_id)
        for item in items:
            ctx = Ctx(tx, realm_id, company, include=include, deleted_suffix=suffix)
            try:
                with tx.savepoint():
                    result = service.batch_item(ctx, item)
                committed.append(ctx)
            except faults.QboFault as fault:
                errors = [dict(e.as_json(), element=e.element or "") for e in fault.errors]
                result = {"Fault": {"Error": errors, "type": fault.type}}
            result["bId"] = str(item.get("bId"))
            results.append(result)
        text = _ok_body({"BatchItemResponse": results}, company["timezone"])
        if request_id:
            tx.log_response(realm_id, request_id, 200, text)
    for ctx in committed:  # committed: tell the hooks, item by item
        webhooks.publish(current_app, realm_id, ctx.changes, ctx.now)
    reads, writes = usage.batch_counts(items)
    current_app.extensions["qbo_sandbox.usage"].add(realm_id, reads=reads, writes=writes)
    return 200, text, company["timezone"]


@bp.route("/v3/<path:rest>", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
def unknown_v3(rest: str):
    return _response(400, _fault_body(_unsupported(), None), JSON_ERROR)
