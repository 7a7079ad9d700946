"""Site HTML from Jinja templates (``render/templates/``), the engine mkdocs already ships.

A generated page is Markdown source whose HTML blocks must not contain blank lines (Markdown
would end the block there), so a template is written as readable, indented HTML and its line
breaks and indentation are dropped when it is loaded: the output is one line per block. A space
that matters between two tags is written ``{{ " " }}``, a break between two Markdown blocks
``{{ blank_line }}``. Autoescaping is on, with
the same escaping as :func:`.markup.text` (``html.escape``, quotes included), so a page is the
same bytes whichever way it was produced; HTML that is already safe (sanitized content, see
:mod:`.markup`) is passed as ``Markup``. A part of a page that is filled in on its own (a guide
page's parts, an article's header) is a macro, called from Python with :func:`macro`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from .markup import text

TEMPLATES = Path(__file__).parent / "templates"
_LAYOUT = re.compile(r"\n[ \t]*")


class _OneLineLoader(jinja2.FileSystemLoader):
    """Loads a template with its source line breaks and indentation removed."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        return _LAYOUT.sub("", source).strip(), filename, uptodate


def _escape(value: object) -> object:
    """Every printed text escaped as :func:`.markup.text` does; ``Markup`` and numbers as they are.

    A plain ``str`` with nothing to escape is returned as it is: Jinja's own escaping leaves it
    unchanged too, and this runs for every value printed (thousands per guide page).
    """
    if isinstance(value, str) and not isinstance(value, Markup):
        escaped = text(value)
        return value if escaped is value and type(value) is str else Markup(escaped)
    return value


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=_OneLineLoader(TEMPLATES), autoescape=True, finalize=_escape, undefined=jinja2.StrictUndefined, auto_reload=False)
    env.globals["blank_line"] = Markup("\n\n")
    return env


def render(name: str, **context: Any) -> str:
    """Render ``templates/<name>`` with ``context`` (missing variables are errors)."""
    return environment().get_template(name).render(**context)


@cache
def macro(template: str, name: str) -> Callable[..., Markup]:
    """Macro ``name`` of ``templates/<template>`` as a function returning its HTML."""
    found: Callable[..., Markup] = getattr(environment().get_template(template).module, name)
    return found
