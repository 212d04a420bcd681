"""Benchmarks and load tests (factdesk bench, the flood, the article generator); not used at run time."""
