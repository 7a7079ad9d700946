"""Zendesk: webhook payloads and signatures, the write-back outbox, the sidebar app package."""
