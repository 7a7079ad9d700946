"""Ticket-tool integrations (Zendesk first): the ticket-side logic, free of any web framework.

The HTTP edge (routes, problem answers) stays in :mod:`search.api`; the sidebar app's files are
packaged here and by ``kb zendesk-app`` (docs/adr/0009-integrations-below-the-api.md).
"""
