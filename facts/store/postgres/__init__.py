"""The PostgreSQL store: the same roles as the SQLite store, for several replicas on one database."""
