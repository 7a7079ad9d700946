"""Bringing existing knowledge bases in as content files (kb/ articles, guides/categories.yml)."""
