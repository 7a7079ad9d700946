"""Answers precomputed per generation for the API: categories, guides, articles, escalation protocol (decision record 0004)."""
