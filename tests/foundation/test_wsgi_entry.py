"""`wsgi:app` (gunicorn's entry point) starts the export worker before any request arrives."""
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wsgi_module_starts_the_export_worker_at_import(tmp_path):
    script = textwrap.dedent("""
        import threading
        import wsgi
        from services.export import worker
        names = sorted(t.name for t in threading.enumerate())
        assert worker.get(wsgi.app) is not None, names
        assert any(n.startswith("qbo-export") for n in names), names
        print("ok", wsgi.app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:"))
    """)
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path / 'app.sqlite'}",
           "SECRET_KEY": "wsgi-test", "QBO_SANDBOX_ENABLED": "0", "QBO_ENVIRONMENT": "local",
           "TOKEN_ENCRYPTION_KEY": "", "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith("ok True")
