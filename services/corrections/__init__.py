"""Corrections of exported invoices (issue 16): revisions of an invoice's lines (revisions.py),
and the writes that carry them to QuickBooks — Update, Void, and Undo export of a whole run —
through one exactly-once ledger (`models.corrections.InvoiceAction`, ledger.py) and one engine
(engine.py) the export worker's threads also run (worker_step.py). service.py is the API the pages
and the CLI call. Kept import-light: services/export imports digest.py from here.
"""
