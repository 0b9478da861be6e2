"""axe-core (vendored: tests/e2e/vendor/axe-*.min.js, MPL-2.0) run inside the page under test.

page.evaluate() goes through the DevTools protocol, which the page's Content-Security-Policy does
not apply to, so the app's CSP stays as strict in the tests as in production.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

VENDOR = Path(__file__).parent / "vendor"
SERIOUS = ("serious", "critical")


@lru_cache(maxsize=1)
def _axe_source() -> str:
    (script,) = sorted(VENDOR.glob("axe-*.min.js"))
    return script.read_text(encoding="utf-8")


def axe_violations(page, impacts=SERIOUS) -> list[dict]:
    """The violations of the given impacts on the page as it is now (WCAG 2 A/AA rules and
    axe's best practices)."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    found = page.evaluate("""async () => {
        const result = await window.axe.run(document, {resultTypes: ["violations"]});
        return result.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5)}));
    }""")
    return [v for v in found if v["impact"] in impacts]


def assert_no_serious_axe_violations(page, where: str = "") -> None:
    found = axe_violations(page)
    assert not found, f"axe on {where or page.url}: " + "; ".join(
        f"{v['impact']} {v['id']} ({v['help']}) at {v['nodes']}" for v in found)
