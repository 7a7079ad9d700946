"""Find what a built page would load from another host (the site must work with no network)."""

from __future__ import annotations

import re

# src/srcset/poster/data on any element, href on <link>, url() in inline styles: anything the
# browser fetches without a click. Plain <a href> links are fine.
_LOADS = re.compile(
    r"""<[a-zA-Z][^>]*?\s(?:src|srcset|poster|data)\s*=\s*["']?\s*((?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//[^"'\s>]+)"""
    r"""|<link\b[^>]*?\shref\s*=\s*["']?\s*((?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//[^"'\s>]+)"""
    r"""|url\(\s*["']?\s*((?:https?:)?//[^"')\s]+)""",
    re.IGNORECASE,
)


def external_loads(html: str) -> list[str]:
    """URLs on other hosts that ``html`` makes the browser load (images, scripts, styles, fonts)."""
    if "//" not in html:  # every pattern needs it; most pages have no absolute URL at all
        return []
    return [next(g for g in m.groups() if g) for m in _LOADS.finditer(html)]
