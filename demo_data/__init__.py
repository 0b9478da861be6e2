"""Demo data for CareLedger: pure Python data (no Flask), shared by the demo seed and the local
QBO sandbox's demo company. `people.PEOPLE`, `PAYERS`, `SERVICE_TYPES`, `OFFICES`, `CAREGIVERS` are a
stable contract: other packages build on their attribute names and values."""
