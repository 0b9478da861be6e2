"""Intuit adds response fields without a new minorversion (PROTOCOL.md §11): the exporter must read
create, batch and query answers that carry fields it has never seen, on the happy path and on the
look-up after a lost answer, and still create each invoice exactly once."""
from models.export import ExportStatus
from tests.export.conftest import knobs_of, records_by_invoice, run_jobs, start_job


def test_export_reads_answers_with_fields_it_does_not_know(books):
    books.sandbox.config["UNKNOWN_RESPONSE_FIELDS"] = True
    knobs_of(books).add_fault("commit_then_drop", times=1, operation="batch")  # forces the look-up
    try:
        start_job(books)
        run_jobs(books, threads=1)
    finally:
        books.sandbox.config["UNKNOWN_RESPONSE_FIELDS"] = False
    found = books.assert_exactly_once()
    records = records_by_invoice(books)
    assert all(r.status == ExportStatus.EXPORTED and r.qbo_id for r in records.values())
    assert {r.qbo_id for r in records.values()} == {d["Id"] for d in found}
