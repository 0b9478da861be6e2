"""THE way in to QuickBooks Online, and the connection's life.

- client.py   `connected_client()`, `current_realm()`, the stored connection row
- connect.py  connect (OAuth, checked `state`), callback, switch company, disconnect
- status.py   what the Installation tab and `flask qbo status` show
- tokens.py   valid access tokens from the stored connection, refreshed early, rotated safely
- crypto.py   tokens encrypted at rest; messages.py: failures in plain words
- runtime.py  the per-app settings, shared HTTP client, OAuth flow and retry policy
- local.py    the built-in sandbox mounted in this process (the only importer of qbo_sandbox)
"""
from services.qbo_connection.client import connected_client, current_realm, get_connection
from services.qbo_connection.connect import (SESSION_STATE, SESSION_SWITCH, CallbackResult, DisconnectResult,
                                             StateRefused, begin_connect, cancel_switch, confirm_switch,
                                             disconnect, handle_callback, pending_switch)
from services.qbo_connection.status import (ConnectionView, check_connection, check_connection_answer,
                                            connection_status)

__all__ = ["SESSION_STATE", "SESSION_SWITCH", "CallbackResult", "ConnectionView", "DisconnectResult",
           "StateRefused", "begin_connect", "cancel_switch", "check_connection", "check_connection_answer", "confirm_switch",
           "connected_client", "connection_status", "current_realm", "disconnect", "get_connection",
           "handle_callback", "pending_switch"]
