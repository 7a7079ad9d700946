"""The search engine: query parsing, Whoosh as indexer and phrase engine, ranking over exported postings, spelling, synonyms, snippets (decision record 0001)."""
