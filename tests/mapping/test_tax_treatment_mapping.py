"""The pure mapping's tax treatment (issue 13): how lines say "no tax" in each kind of company."""
from __future__ import annotations

import pytest

from models.sync_settings import SyncSettings
from services.mapping.invoice import MappingError, Ref, TaxSetupMissing, TaxTreatment, build_qbo_invoice
from tests.mapping.test_invoice_mapping import make_invoice, refs, sample_lines


def _codes(body) -> set[str]:
    return {line["SalesItemLineDetail"]["TaxCodeRef"]["value"] for line in body["Line"]}


def test_us_company_without_automated_tax_sends_non_lines_and_no_override():
    mapped = build_qbo_invoice(make_invoice(), sample_lines(), SyncSettings(), refs(tax=TaxTreatment("us-manual")))
    assert _codes(mapped.body) == {"NON"} and "TxnTaxDetail" not in mapped.body


def test_automated_sales_tax_company_gets_the_zero_tax_override():
    mapped = build_qbo_invoice(make_invoice(), sample_lines(), SyncSettings(), refs(tax=TaxTreatment("us-ast")))
    assert mapped.body["TxnTaxDetail"] == {"TotalTax": 0}
    assert _codes(mapped.body) == {"NON"}


def test_company_outside_the_us_sends_the_chosen_code_on_every_line():
    treatment = TaxTreatment("non-us", line_code=Ref("7", "Zero-rated"))
    mapped = build_qbo_invoice(make_invoice(), sample_lines(), SyncSettings(), refs(tax=treatment))
    assert _codes(mapped.body) == {"7"} and "TxnTaxDetail" not in mapped.body


@pytest.mark.parametrize("treatment", [TaxTreatment("non-us", problem="Choose the code in Sync Settings"),
                                       TaxTreatment("unknown", problem="could not read")],
                         ids=["no-code-chosen", "tax-settings-unreadable"])
def test_without_a_known_treatment_the_invoice_is_refused(treatment):
    with pytest.raises(TaxSetupMissing) as refused:
        build_qbo_invoice(make_invoice(), sample_lines(), SyncSettings(), refs(tax=treatment))
    assert isinstance(refused.value, MappingError) and treatment.problem in str(refused.value)
