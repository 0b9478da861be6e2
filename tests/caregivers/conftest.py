"""The page tests' agency (two offices, clients, batches, Grace Liu as a caregiver) and one user per
role, shared with tests/agency."""
from tests.agency.conftest import csrf, data, login, quick_password_hashing, users  # noqa: F401
