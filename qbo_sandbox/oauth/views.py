"""HTTP endpoints of the sandbox's OAuth 2.0 / OpenID server, at Intuit's paths."""
from __future__ import annotations

from authlib.oauth2.rfc6749 import OAuth2Error
from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for

from qbo_sandbox.oauth import keys, signin, store
from qbo_sandbox.oauth.server import AUTH_METHODS, intuit_json, issuer_url

bp = Blueprint("qbo_oauth", __name__, template_folder="templates", static_folder="static",
               static_url_path="/_oauth/static")

SCOPE_LABELS = {
    "com.intuit.quickbooks.accounting": "Read and write your QuickBooks accounting data",
    "com.intuit.quickbooks.payment": "Process payments in QuickBooks Payments",
    "openid": "Confirm your identity",
    "profile": "See your name",
    "email": "See your email address",
    "phone": "See your phone number",
    "address": "See your address",
}


def _server():
    return current_app.extensions["qbo_sandbox.oauth.server"]


@bp.after_request
def _no_framing(resp):
    # Pages may run in a pop-up, never inside another site's frame (click-jacking).
    if resp.mimetype == "text/html":
        resp.headers.setdefault("X-Frame-Options", "DENY")
    return resp


# --- discovery and keys ---------------------------------------------------------------------

@bp.get("/.well-known/openid_configuration")
@bp.get("/.well-known/openid_configuration/")
@bp.get("/.well-known/openid_sandbox_configuration")
@bp.get("/.well-known/openid_sandbox_configuration/")
def discovery():
    def ext(endpoint):
        return url_for(endpoint, _external=True)

    return jsonify({
        "issuer": issuer_url(),
        "authorization_endpoint": ext("qbo_oauth.authorize"),
        "token_endpoint": ext("qbo_oauth.token"),
        "userinfo_endpoint": ext("qbo_oauth.userinfo"),
        "revocation_endpoint": ext("qbo_oauth.revoke"),
        "jwks_uri": ext("qbo_oauth.jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "email", "profile", "address", "phone"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "claims_supported": ["aud", "exp", "iat", "iss", "realmid", "sub"],
    })


@bp.get("/op/v1/jwks")
def jwks():
    return jsonify(keys.jwks(current_app))


# --- authorization endpoint (sign-in and consent pages) -------------------------------------

def _page(template, status=200, **context):
    context.setdefault("form_action", url_for("qbo_oauth.authorize", **request.args))
    return render_template(template, csrf_token=signin.csrf_token(), **context), status


@bp.route("/connect/oauth2", methods=["GET", "POST"])
def authorize():
    user = signin.current_user(current_app)
    server = _server()
    try:
        # Validates client_id and redirect_uri first: nothing is shown before they check out.
        grant = server.get_consent_grant(end_user=user)
    except OAuth2Error as error:
        if error.redirect_uri:  # client and redirect_uri are good: report back to the app
            return server.handle_error_response(None, error)
        return _page("oauth/error.html", 400, error=error.error,
                     description=error.get_error_description())

    client = store.get_client(current_app, request.args.get("client_id") or request.form.get("client_id"))
    if request.method == "POST":
        if not signin.csrf_ok():
            return _page("oauth/error.html", 400, error="invalid_request",
                         description="This form has expired. Start the connection again.")
        action = request.form.get("action")
        if action == "signin":
            result = signin.attempt(current_app, request.form.get("email"), request.form.get("password"))
            if result.user is None:
                return _page("oauth/signin.html", 429 if result.throttled else 200, client=client,
                             email=request.form.get("email", ""),
                             error=signin.THROTTLED_MESSAGE if result.throttled else signin.WRONG_MESSAGE)
            return redirect(url_for("qbo_oauth.authorize", **request.args), 303)
        if action == "signout":
            signin.forget()
            return redirect(url_for("qbo_oauth.authorize", **request.args), 303)
        if user is not None and action in ("authorize", "cancel"):
            granted = user if action == "authorize" else None  # None -> error=access_denied
            return server.create_authorization_response(grant_user=granted, grant=grant)

    if user is None:
        return _page("oauth/signin.html", client=client, email="", error=None)
    scopes = (request.args.get("scope") or "").split()
    return _page("oauth/consent.html", client=client, user=user,
                 company=store.company_name(current_app, user.realm_id),
                 wants_company=store.wants_company(" ".join(scopes)),
                 scope_labels=[SCOPE_LABELS.get(s, s) for s in scopes])


# --- token, revocation, userinfo ------------------------------------------------------------

@bp.post("/oauth2/v1/tokens/bearer")
def token():
    return _server().create_token_response()


@bp.post("/v2/oauth2/tokens/revoke")
def revoke():
    server = _server()
    oauth_request = server.create_oauth2_request(request)
    try:
        # Intuit's revoke takes a JSON body, which authlib's form-based RFC 7009 endpoint
        # cannot read; authlib still does the client authentication.
        client = server.authenticate_client(oauth_request, AUTH_METHODS, endpoint="revocation")
    except OAuth2Error as error:
        return server.handle_error_response(oauth_request, error)
    body = request.get_json(silent=True) or {}
    token_value = body.get("token") if isinstance(body, dict) else None
    token_value = token_value or request.form.get("token")
    if not token_value or not isinstance(token_value, str):
        return intuit_json(400, {"error_description": "Missing token", "error": "invalid_request"})
    store.revoke_token(current_app, token_value, client.client_id)
    return intuit_json(200, None)


@bp.get("/v1/openid_connect/userinfo")
def userinfo():
    from qbo_sandbox.oauth import resolve_bearer  # the public API; avoids an import cycle

    auth = request.headers.get("Authorization", "")
    scheme, _, value = auth.partition(" ")
    result = resolve_bearer(current_app, value.strip() if scheme.lower() == "bearer" else "")
    if not result.ok:
        return intuit_json(401, {"error_description": f"Token {result.problem}",
                                 "error": "invalid_token"},
                           [("WWW-Authenticate", 'Bearer realm="Intuit", error="invalid_token"')])
    scopes = set(result.scope.split())
    if "openid" not in scopes:
        return intuit_json(403, {"error_description": "openid scope required",
                                 "error": "insufficient_scope"})
    user = store.get_user(current_app, result.user_id)
    body = {"sub": user.sub if user else f"sandbox-{result.realm_id}"}
    if user and "email" in scopes:
        body.update(email=user.email, emailVerified=True)
    if user and "profile" in scopes:
        body.update(givenName=user.given_name or "", familyName=user.family_name or "")
    if user and "phone" in scopes and user.phone_number:
        body.update(phoneNumber=user.phone_number, phoneNumberVerified=False)
    return intuit_json(200, body)

