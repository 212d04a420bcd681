"""factdesk's knowledge layer: ingest articles into one SQLite store and answer from it.

Nothing here imports ``bot``: chat surfaces are renderings of what this package returns.
"""
