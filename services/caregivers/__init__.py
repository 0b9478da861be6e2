"""Caregivers as records of the agency: look-ups, edits and the name rule imports use.

    records.py    list / find / save, scoped to the offices a user may see; only managers save
    directory.py  which caregiver a cell of an invoice file names (code, or one unambiguous name)
"""
