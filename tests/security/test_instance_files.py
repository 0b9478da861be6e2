"""Finding 6: instance/ holds password hashes, client records and keys, so other local users may not
read it: the folder is 0700 and its databases and keys 0600, also when an older install left them
wider."""
from __future__ import annotations

import os
import stat

from sqlalchemy import text

from app import create_app
from extensions import db


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _start(instance):
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(instance),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'careledger.sqlite'}",
                      "QBO_SANDBOX_DATABASE": f"sqlite:///{instance / 'qbo_sandbox.sqlite'}",
                      "QBO_SANDBOX_ENABLED": True, "BASE_URL": "http://127.0.0.1:5999"})
    with app.app_context():
        db.session.execute(text("create table if not exists probe (x integer)"))
        db.session.commit()
        db.engine.dispose()
    return app


def test_a_fresh_instance_folder_and_its_files_are_private(tmp_path):
    instance = tmp_path / "instance"
    _start(instance)
    assert _mode(instance) == 0o700
    files = sorted(p.name for p in instance.iterdir())
    assert {"careledger.sqlite", "qbo_sandbox.sqlite", "secret_key"} <= set(files), files
    for name in files:
        assert _mode(instance / name) & 0o077 == 0, f"{name} is {oct(_mode(instance / name))}"


def test_an_older_install_with_wide_permissions_is_tightened(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)
    os.chmod(instance, 0o755)
    database = instance / "careledger.sqlite"
    database.touch()
    os.chmod(database, 0o644)
    _start(instance)
    assert _mode(instance) == 0o700
    assert _mode(database) == 0o600
