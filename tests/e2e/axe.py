"""Run axe-core in the page and fail on any WCAG 2.0/2.1/2.2 A or AA violation.

axe runs in an isolated JavaScript world (as browser extensions do): it sees the page's DOM
but not its globals, so the page's CSP, its scripts and Wagtail's own userbar checker (which
bundles another axe) cannot interfere.
"""

import json
from pathlib import Path

from playwright.sync_api import Page

AXE_SOURCE_PATH = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]

_axe_source: str | None = None


def _source() -> str:
    global _axe_source
    if _axe_source is None:
        if not AXE_SOURCE_PATH.exists():
            raise FileNotFoundError(f"{AXE_SOURCE_PATH} is missing: run `npm ci` (make test does).")
        _axe_source = AXE_SOURCE_PATH.read_text()
    return _axe_source


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['failureSummary']}")
    return "\n".join(lines)


def axe_violations(page: Page) -> list[dict]:
    page.wait_for_load_state("load")
    cdp = page.context.new_cdp_session(page)
    try:
        frame_id = cdp.send("Page.getFrameTree")["frameTree"]["frame"]["id"]
        world = cdp.send("Page.createIsolatedWorld", {"frameId": frame_id, "worldName": "axe"})
        context_id = world["executionContextId"]

        def evaluate(expression: str):
            reply = cdp.send(
                "Runtime.evaluate",
                {
                    "expression": expression,
                    "contextId": context_id,
                    "awaitPromise": True,
                    "returnByValue": True,
                },
            )
            if "exceptionDetails" in reply:
                raise RuntimeError(f"axe failed: {reply['exceptionDetails']}")
            return reply["result"].get("value")

        evaluate(_source())
        options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
        result = evaluate(
            f"axe.run(document, {json.dumps(options)}).then(r => JSON.stringify(r.violations))"
        )
        return json.loads(result)
    finally:
        cdp.detach()


def assert_accessible(page: Page) -> None:
    """Fail with a readable list when axe finds any WCAG A/AA violation on the current page."""
    violations = axe_violations(page)
    assert not violations, f"axe found violations on {page.url}:\n{format_violations(violations)}"
