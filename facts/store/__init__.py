"""Stage 3, storing: the SQLite store, its writer, corrections, digest and delivery ledgers, migrations
and rows.
"""
