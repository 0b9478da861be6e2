"""Command-line entry points (`flask …`), one module per command group; each command calls plain
service functions. `register_commands` is the `create_app` step that adds them.

Commands start no background thread and need no running server (see cli/export.py).
"""
from __future__ import annotations

from flask import Flask

from cli.caregivers import caregivers_cli
from cli.data import clients_cli, invoices_cli
from cli.demo import demo_cli
from cli.qbo import qbo_cli
from cli.users import users_cli

COMMAND_GROUPS = (demo_cli, users_cli, clients_cli, caregivers_cli, invoices_cli, qbo_cli)


def register_commands(app: Flask) -> None:
    for group in COMMAND_GROUPS:
        app.cli.add_command(group)
