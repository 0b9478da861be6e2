"""Sales tax of the connected QuickBooks company, as the export needs it (issue 13).

CareLedger never pushes tax: the QuickBooks total must equal the agency total minus its tax.
How to say "no tax" depends on the company (PROTOCOL §11):
- US, sales tax off or manual: every line `TaxCodeRef NON` (what CareLedger always sent);
- US with automated sales tax (AST, Intuit's default for US companies): QuickBooks ignores the
  lines' codes and computes tax from the addresses, so the invoice carries the transaction-level
  override `TxnTaxDetail {"TotalTax": 0}`;
- outside the US (Canada, …): every line needs one of the company's tax codes, so lines carry
  the zero-rated or exempt code a person chose on Sync Settings (`line_code.py`); until then
  export refuses those invoices.

- profile.py    the company's tax facts (Preferences, CompanyInfo, TaxCode/TaxRate), read once and
                cached per realm; refreshed from Sync Settings or after a mismatch
- line_code.py  the tax code lines carry outside the US (a person's choice)
- treatment.py  the `TaxTreatment` the pure mapping applies, from the two above
- reconcile.py  the create/batch answer checked against the agency total (never a read-back)
"""
