"""Data for page scripts, embedded in ``<script type="application/json">`` without breaking out.

Inside a script element the HTML parser only looks for ``</script`` (and ``<!--`` changes how it
looks), so ``<``, ``>`` and ``&`` are written as JSON escapes. U+2028 and U+2029 are escaped too:
they end lines in older JavaScript parsers. JSON allows ``\\uXXXX`` anywhere in a string and these
characters never occur outside strings, so the text stays valid JSON for ``JSON.parse``.
"""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup

from .templating import macro

_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def script_json(data: Any) -> str:
    """Compact JSON safe to place between ``<script type="application/json">`` tags."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_ESCAPES)


def json_script(data: Any, element_id: str) -> Markup:
    """A complete ``<script type="application/json">`` element holding ``data``."""
    return macro("_parts.html", "json_script")(Markup(script_json(data)), element_id)
