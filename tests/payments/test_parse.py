"""The pure parse of CDC answers (services/mapping/payment.py), on Intuit-shaped JSON."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

from services.mapping.payment import CDC_MAX_OBJECTS, parse_cdc, parse_customer, parse_invoice, parse_payment, parse_time


def test_a_payment_lists_what_it_pays_of_each_invoice():
    change = parse_payment({
        "Id": "77", "SyncToken": "0", "TotalAmt": 150.0, "TxnDate": "2026-11-30", "PaymentRefNum": "1042",
        "CustomerRef": {"value": "5", "name": "Smith, Bob"},
        "Line": [{"Amount": 100.0, "LinkedTxn": [{"TxnId": "12", "TxnType": "Invoice"}]},
                 {"Amount": 50.0, "LinkedTxn": [{"TxnId": "13", "TxnType": "Invoice"}]},
                 {"Amount": 9.0, "LinkedTxn": [{"TxnId": "3", "TxnType": "CreditMemo"}]}],
        "MetaData": {"LastUpdatedTime": "2026-11-30T09:15:02-08:00"}, "SomeNewField": {"x": 1}})
    assert change.applied == (("12", Decimal("100.00")), ("13", Decimal("50.00")))
    assert change.total == Decimal("150.00") and change.txn_date == date(2026, 11, 30)
    assert change.reference == "1042" and change.customer_id == "5"
    assert change.updated_at == datetime(2026, 11, 30, 17, 15, 2, tzinfo=timezone.utc)


def test_tombstones_and_voids():
    tomb = {"domain": "QBO", "status": "Deleted", "Id": "39", "MetaData": {"LastUpdatedTime": "2026-11-30T10:00:00Z"}}
    assert parse_invoice(tomb).deleted and parse_payment(tomb).deleted and parse_customer(tomb).deleted
    voided = parse_invoice({"Id": "4", "TotalAmt": 0, "Balance": 0, "PrivateNote": "Voided", "CustomerRef": {"value": "2"}})
    assert voided.voided and not voided.deleted
    zero = parse_invoice({"Id": "5", "TotalAmt": 0, "Balance": 0, "CustomerRef": {"value": "2"}})
    assert not zero.voided  # a zero invoice is not a void
    paid_void = parse_payment({"Id": "8", "TotalAmt": 0, "PrivateNote": "Voided",
                               "Line": [{"Amount": 0, "LinkedTxn": [{"TxnId": "4", "TxnType": "Invoice"}]}]})
    assert paid_void.voided and paid_void.applied == ()


def test_an_inactive_customer_and_odd_times():
    assert parse_customer({"Id": "9", "DisplayName": "Ann Lee", "Active": False}).active is False
    assert parse_customer({"Id": "9", "DisplayName": "Ann Lee"}).active is True
    assert parse_time("nonsense") is None and parse_time(None) is None
    assert parse_time("2026-11-30T10:00:00.123Z").microsecond == 123000


def test_a_cdc_answer_per_entity_and_a_full_one_is_marked_cut_off():
    body = {"CDCResponse": [{"QueryResponse": [
        {"Invoice": [{"Id": "1", "TotalAmt": 10, "Balance": 10, "CustomerRef": {"value": "2"}}],
         "startPosition": 1, "maxResults": 1},
        {},
        {"Customer": [{"Id": "2", "DisplayName": "X"}, {"no": "id"}]},
        {"Estimate": [{"Id": "3"}]}]}], "time": "2026-11-30T10:00:00Z"}
    changes = parse_cdc(body)
    assert [i.qbo_id for i in changes.invoices] == ["1"] and [c.qbo_id for c in changes.customers] == ["2"]
    assert changes.payments == [] and not changes.truncated
    full = parse_cdc({"CDCResponse": [{"QueryResponse": [{"Invoice": [{"Id": str(n)} for n in range(CDC_MAX_OBJECTS)]}]}]})
    assert full.truncated
    assert parse_cdc({}).total == 0 and parse_cdc(None).total == 0


class _FakeCdc:
    """CDC over a fixed list of invoices (time, id), oldest first, at most 1,000 per answer."""

    def __init__(self, invoices):
        self.invoices, self.calls = sorted(invoices), []

    def cdc(self, entities, since):
        self.calls.append((tuple(entities), since))
        rows = [{"Id": str(i), "TotalAmt": 1, "Balance": 1, "MetaData": {"LastUpdatedTime": t.isoformat()}}
                for t, i in self.invoices if t >= since][:CDC_MAX_OBJECTS] if "Invoice" in entities else []
        return {"CDCResponse": [{"QueryResponse": [{"Invoice": rows}] if rows else [{}]}]}


def test_a_cut_off_answer_stuck_on_one_second_still_reaches_later_changes():
    """1,500 invoices stamped the same second fill every answer from that second on; the
    check must step past it (those beyond 1,000 cannot be had from CDC) and still see the
    change made after."""
    from datetime import timedelta

    from services.payments.poll import _fetch

    t0 = datetime(2026, 11, 30, 10, 0, tzinfo=timezone.utc)
    fake = _FakeCdc([(t0, n) for n in range(1500)] + [(t0 + timedelta(seconds=5), 9999)])
    changes, reads, resume_at = _fetch(fake, t0 - timedelta(days=1))
    assert "9999" in {c.qbo_id for c in changes.invoices}
    assert resume_at is None and reads == len(fake.calls) <= 6


def test_a_catch_up_that_runs_out_of_calls_resumes_there_next_time(monkeypatch):
    from datetime import timedelta

    from services.payments import poll

    monkeypatch.setattr(poll, "MAX_CATCH_UP_CALLS", 2)
    t0 = datetime(2026, 11, 30, 10, 0, tzinfo=timezone.utc)
    fake = _FakeCdc([(t0 + timedelta(seconds=n // 10), n) for n in range(5000)])
    changes, reads, resume_at = poll._fetch(fake, t0)
    assert resume_at is not None and t0 < resume_at < t0 + timedelta(seconds=500)
    assert max(c.updated_at for c in changes.invoices) >= resume_at
