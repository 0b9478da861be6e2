"""The `flask` command as a person types it in the project folder (a child process each time)."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FLASK = str(Path(sys.executable).parent / "flask")


def cli_env(tmp_path, **extra) -> dict:
    """A fresh installation in tmp_path: its own instance folder and database, nothing listening
    at its base URL (port 9 is 'discard'; no server runs there)."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
           "CARELEDGER_INSTANCE_PATH": str(tmp_path / "instance"),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'app.sqlite'}",
           "CARELEDGER_BASE_URL": "http://127.0.0.1:9"}
    env.update(extra)
    return env


def test_flask_in_the_project_loads_the_factory_and_starts_no_thread(tmp_path):
    script = textwrap.dedent("""
        import sys, threading
        from flask.cli import main
        sys.argv = ["flask", "--help"]
        try:
            main()
        except SystemExit:
            pass
        print("THREADS", sorted(t.name for t in threading.enumerate()))
        print("WSGI", "wsgi" in sys.modules)
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=cli_env(tmp_path),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "qbo" in result.stdout and "users" in result.stdout  # the app's own groups: it loaded
    assert "THREADS ['MainThread']" in result.stdout, result.stdout
    assert "WSGI False" in result.stdout


def _flask(tmp_path, *args, input_text=None):
    return subprocess.run([FLASK, *args], cwd=ROOT, env=cli_env(tmp_path), input=input_text,
                          capture_output=True, text=True, timeout=120)


def test_users_create_refuses_a_taken_email_in_plain_words(tmp_path):
    from app import create_app
    from extensions import db

    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "QBO_SANDBOX_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'app.sqlite'}"})
    with app.app_context():
        db.create_all()
    args = ("users", "create", "--email", "Olive@Example.test", "--name", "Olive", "--role", "owner",
            "--password", "a-long-password")
    first = _flask(tmp_path, *args)
    assert first.returncode == 0, first.stderr
    assert "Created owner olive@example.test" in first.stdout
    again = _flask(tmp_path, *args)
    assert again.returncode != 0
    assert "Another account already uses this e-mail" in again.stderr
    assert "IntegrityError" not in again.stderr and "UNIQUE" not in again.stderr
    with app.app_context():
        from models import User
        assert db.session.query(User).count() == 1
