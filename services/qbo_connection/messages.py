"""QuickBooks failures in plain words for people (status panel, flash messages, CLI).

Never includes tokens: messages are built from the error class and Intuit's code/Message only.
"""
from __future__ import annotations

from qbo.errors import (AuthenticationError, AuthorizationError, DuplicateDocumentNumberError,
                        DuplicateNameError, NotFoundError, OAuthError, QboError,
                        ReadAllowanceExhausted, ReconnectRequired, StaleObjectError, ThrottledError, TransientError,
                        ValidationError)
from qbo.settings import ConfigurationError


READ_ALLOWANCE_USED_UP = (
    "QuickBooks has stopped answering CareLedger's reads for the rest of this month: the app's "
    "monthly allowance of reads from QuickBooks is used up. Exporting invoices keeps working "
    "(writes are not limited); lists, look-ups and checks work again when the month turns, or "
    "sooner if the app's Intuit plan is raised.")


def plain_error(error: BaseException) -> str:
    if isinstance(error, ReconnectRequired):
        return str(error) or "The QuickBooks connection has expired; reconnect to QuickBooks."
    if isinstance(error, AuthorizationError):
        return ("QuickBooks refused access (the signed-in QuickBooks user may lack the rights "
                "for this company).")
    if isinstance(error, AuthenticationError):
        return "QuickBooks did not accept the sign-in token."
    if isinstance(error, ReadAllowanceExhausted):
        return READ_ALLOWANCE_USED_UP
    if isinstance(error, ThrottledError):
        return ("QuickBooks asked us to slow down (too many requests); it will work again in about "
                f"{max(1, round(error.retry_after))} seconds.")
    if isinstance(error, TransientError):
        return "QuickBooks could not be reached or had a temporary problem; try again shortly."
    if isinstance(error, DuplicateNameError):
        return "QuickBooks already has a customer, vendor or employee with that name."
    if isinstance(error, DuplicateDocumentNumberError):
        return "QuickBooks already has a transaction with that number."
    if isinstance(error, StaleObjectError):
        return "Someone changed this record in QuickBooks at the same time; it was read again."
    if isinstance(error, NotFoundError):
        return "QuickBooks could not find the record (it may have been deleted or made inactive)."
    if isinstance(error, ValidationError):
        where = f" (field {error.element})" if error.element else ""
        return f"QuickBooks refused the data{where}: {error.errors[0].message if error.errors else error}"
    if isinstance(error, OAuthError):
        return f"QuickBooks sign-in failed ({error.error})."
    if isinstance(error, ConfigurationError):
        return f"QuickBooks is not configured: {error}"
    if isinstance(error, QboError):
        return f"QuickBooks returned an error ({error.status or error.code or 'unknown'})."
    return "An unexpected error happened while talking to QuickBooks."
