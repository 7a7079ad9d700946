"""Settings of the ``kb-guides`` mkdocs plugin (``plugins: - kb-guides: {...}`` in mkdocs.yml)."""

from __future__ import annotations

import datetime as dt

from mkdocs.config import config_options as c
from mkdocs.config.base import Config


class GuidesConfig(Config):
    check = c.Type(bool, default=True)
    """Run every ``kb check`` rule before building; content errors stop the build with their
    ``path:line:col``. Turn it off only in tests that need content the checks reject."""

    review_window_days = c.Type(int, default=30)
    """The review-status page lists content due for review within this many days (and overdue)."""

    today = c.Optional(c.Type((dt.date, str)))
    """Date (YYYY-MM-DD) the review rules and review page count from; default: the build date.
    Set it for reproducible builds."""

    preview = c.Optional(c.Type(bool))
    """Publish drafts too, each with a "Draft" banner (a preview for authors); default: the
    ``KB_PREVIEW`` environment variable (``kb build --preview`` sets it), else false."""

    audience = c.Optional(c.Choice(("internal", "public")))
    """``public`` leaves out every ``audience: internal`` guide and article; default: the
    ``KB_AUDIENCE`` environment variable (``kb build --audience``), else internal."""

    changelog_entries = c.Type(int, default=200)
    """The "What changed" page and its Atom feed list this many of the newest commits that changed
    the content (from its git history; a site built from a tarball says there is no history)."""
