"""The search engine: query parsing, Whoosh as indexer and phrase engine (one index per segment), ranking over exported postings, spelling, synonyms, snippets (decision records 0001, 0033)."""
