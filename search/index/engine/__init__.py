"""The search engine: query parsing, our own index segments, ranking over their postings, phrases from positions, spelling, synonyms, snippets (decision records 0001, 0033)."""
