"""The demo company (the agency's books as a bookkeeper keeps them), the JSON loader and the
browser view of a company under /app."""
from qbo_sandbox.demo.company import build_demo_company, ensure_demo_company

__all__ = ["build_demo_company", "ensure_demo_company"]
