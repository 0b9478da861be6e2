"""What happens in QuickBooks comes back (issue 15): payments, voids, deletes and customer
changes, pulled from QuickBooks' change feed (CDC) and hinted by its webhooks.

- poll.py        one poll of the connected company (lease, watermark, CDC, upsert)
- lease.py       one poller at a time across processes; the watermark; "poll soon" requests
- apply.py       parsed changes (services/mapping/payment.py) upserted by QuickBooks Id
- runner.py      the scheduler thread and on-demand checks
- statuses.py    Open / Partially paid / Paid / Voided / Deleted / Changed, and an invoice's payments
- receivables.py the dashboard's open balances by office and payer, aged
- reexport.py    export again, once, an invoice deleted in QuickBooks
- webhooks.py    Intuit's signed deliveries: verify, record (dedupe on id), hint the poller
Customer renames, merges and deactivations reach the links in services/client_matching/qbo_changes.py.
"""
