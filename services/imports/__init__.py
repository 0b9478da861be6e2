"""CSV imports of clients, caregivers and invoice batches — all-or-nothing.

A file with any bad row writes nothing and returns every problem with the file's physical line
number (header = line 1), the column and the reason. Files are UTF-8 (a BOM is fine), at most
5 MB and 50,000 rows. Both functions take a binary stream (preferred: the import decodes and can
say where a bad byte is) or a text stream, and a SQLAlchemy session; they commit on success.

    import_clients_csv(stream, session) -> ImportResult   # upsert by client code
    import_caregivers_csv(stream, session) -> ImportResult   # upsert by caregiver code
    import_invoices_csv(stream, session, finalize=False, user=None) -> ImportResult

Column layouts: see the README ("CSV imports") and demo_data/examples/.
"""
from services.imports.caregivers import import_caregivers_csv
from services.imports.clients import import_clients_csv
from services.imports.common import MAX_BYTES, MAX_ROWS, ImportResult, RowError
from services.imports.invoices import import_invoices_csv

__all__ = ["import_clients_csv", "import_caregivers_csv", "import_invoices_csv", "ImportResult", "RowError", "MAX_BYTES", "MAX_ROWS"]
