"""The technician's workflow over the content model: walking a tree, its transcript and numbered
steps, the messages filled from a finished walk, SLA clocks and review state.

Below the site, the API and the terminal, which all use it; above ``search.content`` only.
"""
