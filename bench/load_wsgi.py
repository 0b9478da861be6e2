"""The WSGI app bench/load_bench.py serves with gunicorn: the seeded database from the
environment, the export worker off (the benchmark measures pages, not exports)."""
import os
from pathlib import Path

from app import create_app
from bench.large_agency import app_config

app = create_app(app_config(os.environ["LOAD_BENCH_DATABASE_URL"], Path(os.environ["LOAD_BENCH_INSTANCE"])))
