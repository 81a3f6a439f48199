"""Search engines. Each implements search.query.SearchEngine and passes the contract tests."""
