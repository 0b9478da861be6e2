"""The emulated Accounting API v3 under /v3/company/<realmId>/ (blueprint `qbo_api`).

`views` turns HTTP into calls and answers (auth, throttle, requestid replay, envelopes); the
backend is plain functions without Flask: `service` (query, batch, CDC, preferences), `ops`
(create/read/update/delete/void), `rules/` (per-entity validation), `query` + `querysql` (the
query language), `company`/`context`/`schema`/`faults` (the books, one operation, the entity
catalogue, QuickBooks' Fault answers).
"""
