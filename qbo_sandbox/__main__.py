"""Run the QuickBooks Online sandbox standalone: `python -m qbo_sandbox --port 8765 --db qbo.sqlite`.

Every option is described in the README's sandbox section.
"""
from __future__ import annotations

import argparse
import json
import sys

from werkzeug.serving import WSGIRequestHandler, run_simple

from qbo_sandbox.accounting import company as companies
from qbo_sandbox.app import create_app
from qbo_sandbox.control.knobs import parse_fault_spec


class KeepAliveHandler(WSGIRequestHandler):
    # HTTP/1.1 keeps client connections open between requests (clients such as requests reuse
    # them), which saves a TCP handshake per API call.
    protocol_version = "HTTP/1.1"


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m qbo_sandbox",
                                description="Local QuickBooks Online sandbox (OAuth 2.0 + Accounting API v3).")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--db", default="qbo_sandbox.sqlite",
                   help="SQLite file of the sandbox (':memory:' for a throwaway one)")
    p.add_argument("--client", action="append", default=[], metavar="ID:SECRET[=URI,...]",
                   help="register an OAuth client, optionally with its exact redirect URIs")
    p.add_argument("--user", action="append", default=[], metavar="EMAIL:PASSWORD",
                   help="add a sign-in user of the company")
    company = p.add_mutually_exclusive_group()
    company.add_argument("--demo", dest="demo", action="store_true", default=True,
                         help="start with the demo agency's company (default)")
    company.add_argument("--empty", dest="demo", action="store_false",
                         help="start with an empty company instead")
    p.add_argument("--realm-id", default=None, help="realm id of the company (default 9341453172471531)")
    p.add_argument("--company-name", default=None, help="name of an --empty company")
    p.add_argument("--custom-txn-numbers", action="store_true",
                   help="empty company: the agency supplies invoice numbers (CustomTxnNumbers on)")
    p.add_argument("--load", action="append", default=[], metavar="FILE",
                   help="load customers/items from JSON in QBO's query-response shape")
    p.add_argument("--no-throttle", action="store_true", help="turn Intuit's rate limits off")
    p.add_argument("--latency-ms", type=float, default=0, help="added latency per API request")
    p.add_argument("--fault", action="append", default=[], metavar="KIND[:k=v,...]",
                   help="inject faults, e.g. error:status=503,times=2 or commit_then_drop:operation=create")
    p.add_argument("--access-token-lifetime", type=int)
    p.add_argument("--refresh-token-lifetime", type=int)
    p.add_argument("--auth-code-lifetime", type=int)
    p.add_argument("--no-knobs-http", action="store_true", help="disable the /_sandbox control endpoints")
    p.add_argument("--no-web", action="store_true", help="disable the /app browser view")
    p.add_argument("--tax-mode", choices=("us-ast", "us-manual", "ca"), default=None,
                   help="sales tax of the company made on start (default: us-ast for the demo, "
                        "us-manual for --empty)")
    p.add_argument("--coreplus-cap", type=int, default=None, metavar="N",
                   help="CorePlus reads per realm and month before every read answers 429")
    p.add_argument("--environment", choices=("sandbox", "production"), default="sandbox",
                   help="production: redirect URIs must be https on a host name (no IP, no localhost)")
    p.add_argument("--refresh-grace", choices=("strict", "24h"), default="strict",
                   help="a rotated-out refresh token dies at once (strict) or after 24 hours")
    p.add_argument("--no-deleted-suffix", action="store_true",
                   help='keep inactive names as they are (QBO renames them "X (deleted)")')
    p.add_argument("--unknown-fields", action="store_true",
                   help="add fields no client knows to every entity answered (tolerance tests)")
    p.add_argument("--allowed-host", action="append", default=[], metavar="NAME",
                   help="a host name the browser pages answer to besides localhost/127.0.0.1/::1")
    hooks = p.add_argument_group("webhooks (off unless a --webhook-url is given)")
    hooks.add_argument("--webhook-url", action="append", default=[], metavar="URL",
                       help="deliver every entity change to URL as Intuit's webhooks do. Repeatable.")
    hooks.add_argument("--webhook-verifier-token", default="", metavar="TOKEN",
                       help="the verifier token the intuit-signature HMAC is keyed with")
    hooks.add_argument("--webhook-content-type", default="application/json",
                       choices=("application/json", "application/cloudevents+json"))
    hooks.add_argument("--webhook-format", default="cloudevents", choices=("cloudevents", "legacy"),
                       help="legacy = the eventNotifications body Intuit sent before 2026")
    hooks.add_argument("--webhook-time-compression", type=float, default=1.0, metavar="FACTOR",
                       help="divide Intuit's retry waits by FACTOR (1000: the 10 s retry after 10 ms)")
    return p.parse_args(argv)


def build(args):
    url = "sqlite://" if args.db == ":memory:" else f"sqlite:///{args.db}"
    realm = args.realm_id or "9341453172471531"
    config = {"SANDBOX_DATABASE": url, "THROTTLE_ENABLED": not args.no_throttle,
              "KNOBS_HTTP_ENABLED": not args.no_knobs_http, "WEB_VIEW_ENABLED": not args.no_web,
              "DEMO_COMPANY": args.demo, "DEMO_REALM_ID": realm,
              "TAX_MODE": args.tax_mode or ("us-ast" if args.demo else "us-manual"),
              "COREPLUS_CAP": args.coreplus_cap, "ENVIRONMENT": args.environment,
              "REFRESH_TOKEN_GRACE_SECONDS": 0 if args.refresh_grace == "strict" else 86400,
              "DELETED_NAME_SUFFIX": not args.no_deleted_suffix,
              "UNKNOWN_RESPONSE_FIELDS": args.unknown_fields,
              "WEBHOOK_ENABLED": bool(args.webhook_url), "WEBHOOK_URLS": args.webhook_url,
              "WEBHOOK_VERIFIER_TOKEN": args.webhook_verifier_token,
              "WEBHOOK_CONTENT_TYPE": args.webhook_content_type, "WEBHOOK_FORMAT": args.webhook_format,
              "WEBHOOK_TIME_COMPRESSION": args.webhook_time_compression,
              "ALLOWED_HOSTS": [*args.allowed_host, *([args.host] if args.host not in ("0.0.0.0", "::") else [])]}
    for key in ("access_token_lifetime", "refresh_token_lifetime", "auth_code_lifetime"):
        if getattr(args, key) is not None:
            config[key.upper()] = getattr(args, key)
    app = create_app(config)
    store = app.extensions["qbo_sandbox.store"]
    if not args.demo:
        with store.transaction() as tx:
            if tx.company(realm) is None:
                prefs = companies.default_preferences(custom_txn_numbers=args.custom_txn_numbers)
                companies.create_company(tx, realm, args.company_name or "Sandbox Company", preferences=prefs,
                                         tax_mode=app.config["TAX_MODE"])
    from qbo_sandbox import oauth
    from qbo_sandbox.demo import loader
    for path in args.load:
        with open(path, encoding="utf-8") as handle, store.transaction() as tx:
            counts = loader.load(tx, realm, json.load(handle))
        print(f"loaded {counts} from {path}", file=sys.stderr)
    for spec in args.client:
        ident, _, uris = spec.partition("=")
        client_id, _, secret = ident.partition(":")
        if not client_id or not secret:
            raise SystemExit(f"--client needs ID:SECRET, got {spec!r}")
        oauth.register_client(app, client_id, secret, uris.split(",") if uris else None)
    for spec in args.user:
        email, _, password = spec.partition(":")
        if not email or not password:
            raise SystemExit(f"--user needs EMAIL:PASSWORD, got {spec!r}")
        oauth.register_user(app, email, password, realm)
    knobs = app.extensions["qbo_sandbox.knobs"]
    knobs.latency_ms = args.latency_ms
    for spec in args.fault:
        options = parse_fault_spec(spec)
        knobs.add_fault(options.pop("kind"), **options)
    return app, realm


def main(argv=None):
    args = parse_args(argv)
    app, realm = build(args)
    print(f"QBO sandbox on http://{args.host}:{args.port}  realm {realm}\n"
          f"  discovery  http://{args.host}:{args.port}/.well-known/openid_configuration\n"
          f"  API base   http://{args.host}:{args.port}/v3\n"
          f"  browser    http://{args.host}:{args.port}/app/customers", file=sys.stderr)
    run_simple(args.host, args.port, app, threaded=True, use_reloader=False,
               request_handler=KeepAliveHandler)


if __name__ == "__main__":
    main()
