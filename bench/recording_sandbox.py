"""The sandbox process of bench/export_bench.py, noting when each Accounting API request arrives,
how it was answered and when (one "arrived-epoch-seconds status answered-epoch-seconds" line per
request in --record FILE), so the benchmark can count requests in any one second at QuickBooks'
side and see where the time goes.

    python -m bench.recording_sandbox --record FILE [every option of python -m qbo_sandbox]
"""
from __future__ import annotations

import sys
import threading
import time

from werkzeug.serving import run_simple

from qbo_sandbox.__main__ import KeepAliveHandler, build, parse_args


def recording(inner, path: str):
    lock = threading.Lock()
    out = open(path, "a", buffering=1, encoding="utf-8")

    def app(environ, start_response):
        if "/v3/company/" not in environ.get("PATH_INFO", ""):
            return inner(environ, start_response)
        arrived = time.time()

        def noting(status, headers, exc_info=None):
            with lock:
                out.write(f"{arrived:.6f} {status.split()[0]} {time.time():.6f}\n")
            return start_response(status, headers, exc_info)

        return inner(environ, noting)

    return app


def main() -> None:
    argv = sys.argv[1:]
    where = argv.index("--record")
    path = argv[where + 1]
    args = parse_args(argv[:where] + argv[where + 2:])
    app, _realm = build(args)
    app.wsgi_app = recording(app.wsgi_app, path)
    run_simple(args.host, args.port, app, threaded=True, use_reloader=False, request_handler=KeepAliveHandler)


if __name__ == "__main__":
    main()
