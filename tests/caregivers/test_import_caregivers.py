"""caregivers.csv: upsert by caregiver code, all-or-nothing; and the invoice import's rule for its
caregiver column (a code or one unambiguous name; nothing created on the way)."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from models import Caregiver, InvoiceLine, WorkerKind
from services.imports import import_caregivers_csv, import_invoices_csv

EXAMPLES = Path(__file__).resolve().parents[2] / "demo_data" / "examples"
HEADER = "caregiver_code,first_name,last_name,office,kind,email,active\n"


def _carer(db, code):
    db.session.expire_all()
    return db.session.scalar(select(Caregiver).where(Caregiver.code == code))


def test_new_and_existing_caregivers(db, reference_data, csv_file):
    text = HEADER + ("CG-100,Imani,Clarke,Main Office,W-2,imani@example.com,\n"
                     "cg-007,Grace,Liu,LAKE,1099,,no\n"          # updates CG-007 (codes ignore case)
                     "CG-005,Esther,Mensah,Lakeside,,,\n")       # unchanged: empty kind/active keep theirs
    result = import_caregivers_csv(csv_file(text), db.session)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (1, 1, 1)
    assert result.summary == "Imported 3 caregivers: 1 created, 1 updated, 1 unchanged."
    imani = _carer(db, "CG-100")
    assert (imani.kind, imani.active, imani.email, imani.office.code) == (WorkerKind.EMPLOYEE, True,
                                                                          "imani@example.com", "MAIN")
    grace = _carer(db, "CG-007")
    assert (grace.kind, grace.active, grace.office.code) == (WorkerKind.CONTRACTOR, False, "LAKE")


def test_a_column_left_out_leaves_the_value_alone(db, reference_data, csv_file):
    _carer(db, "CG-007").email = "grace@example.com"
    db.session.commit()
    result = import_caregivers_csv(csv_file("caregiver_code,first_name,last_name,office\nCG-007,Grace,Liu,MAIN\n"),
                                   db.session)
    assert result.ok and result.unchanged == 1 and _carer(db, "CG-007").email == "grace@example.com"


def test_a_bad_file_writes_nothing_and_lists_every_problem(db, reference_data, csv_file):
    text = HEADER + ("CG-101,Ann,Lee,Nowhere,W-2,,\n"
                     "CG 102,Bo,Kim,MAIN,W-2,,\n"
                     "CG-103,,Diaz,MAIN,boss,not-an-email,maybe\n"
                     "CG-101,Ann,Lee,MAIN,,,\n")
    before = db.session.scalars(select(Caregiver.code)).all()
    result = import_caregivers_csv(csv_file(text), db.session)
    assert not result.ok
    assert [(e.line, e.column) for e in result.errors] == [
        (2, "office"), (3, "caregiver_code"), (4, "active"), (4, "email"), (4, "first_name"), (4, "kind"),
        (5, "caregiver_code")]
    assert "appears twice in the file (first on line 2)" in str(result.errors[-1])
    assert db.session.scalars(select(Caregiver.code)).all() == before


def test_the_example_file_imports_into_the_seeded_demo(db, seeded):
    with open(EXAMPLES / "caregivers.csv", "rb") as stream:
        result = import_caregivers_csv(stream, db.session)
    assert result.ok, result.errors
    assert (result.created, result.updated) == (2, 1)
    assert _carer(db, "CG-020").kind == WorkerKind.CONTRACTOR and _carer(db, "CG-020").preferred_name == "Tom"


# --- the invoice import's caregiver column ---------------------------------------------------------

INVOICES = ("batch_number,office,period_start,period_end,invoice_number,client_code,invoice_date,line_kind,"
            "service_type,service_date,caregiver,quantity,rate\n")


def _visit(invoice, caregiver):
    return f"B-1,Main Office,2026-11-01,2026-11-15,{invoice},C0001,2026-11-16,service,PC,2026-11-03,{caregiver},4,32.50\n"


def test_the_caregiver_cell_is_a_code_or_one_name(db, reference_data, csv_file):
    db.session.add(Caregiver(code="CG-050", office=reference_data["Main Office"], first_name="Katarzyna",
                             last_name="Nowak", preferred_name="Kasia"))
    db.session.commit()
    cells = ["cg-005", "grace liu", '"Liu,  Grace"', "Kasia Nowak", '"Nowak, Katarzyna"', ""]
    text = INVOICES + "".join(_visit(f"INV-{n}", cell) for n, cell in enumerate(cells))
    result = import_invoices_csv(csv_file(text), db.session)
    assert result.ok, result.errors
    lines = {l.invoice.number: l for l in db.session.scalars(select(InvoiceLine))}
    assert [(lines[f"INV-{n}"].caregiver and lines[f"INV-{n}"].caregiver.code, lines[f"INV-{n}"].caregiver_name)
            for n in range(len(cells))] == [
        ("CG-005", "Esther Mensah"), ("CG-007", "Grace Liu"), ("CG-007", "Grace Liu"),
        ("CG-050", "Katarzyna Nowak"), ("CG-050", "Katarzyna Nowak"), (None, "")]


def test_an_unknown_or_ambiguous_caregiver_refuses_the_file_and_creates_nobody(db, reference_data, csv_file,
                                                                               row_counts):
    db.session.add(Caregiver(code="CG-070", office=reference_data["Lakeside"], first_name="Grace", last_name="Liu"))
    db.session.commit()
    before, carers = row_counts(), db.session.scalars(select(Caregiver.code)).all()
    text = INVOICES + _visit("INV-1", "Grace Liu") + _visit("INV-2", "Rosa Diaz") + _visit("INV-3", "CG-070")
    result = import_invoices_csv(csv_file(text), db.session)
    assert not result.ok
    assert [(e.line, e.column) for e in result.errors] == [(2, "caregiver"), (3, "caregiver")]
    assert "2 caregivers are named 'Grace Liu' (CG-007, CG-070); give the caregiver code instead." \
        in result.errors[0].message
    assert "No caregiver has the code or name 'Rosa Diaz'" in result.errors[1].message
    assert row_counts() == before and db.session.scalars(select(Caregiver.code)).all() == carers


def test_the_command_line_import(runner, db, reference_data, tmp_path):
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(HEADER + "CG-200,Nadia,Haddad,Lakeside,W-2,,\n", encoding="utf-8")
    bad.write_text(HEADER + "CG-201,Luis,Ortega,Atlantis,1099,,\n", encoding="utf-8")
    done = runner.invoke(args=["caregivers", "import", str(good)])
    assert done.exit_code == 0 and "1 created" in done.output
    refused = runner.invoke(args=["caregivers", "import", str(bad)])
    assert refused.exit_code == 1 and "line 2, column office: Unknown office 'Atlantis'." in refused.output
    assert _carer(db, "CG-201") is None
