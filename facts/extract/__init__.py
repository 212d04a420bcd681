"""Stage 2, extracting: from one article's text to passages, dates, entities, agreements and candidate
facts; no database.
"""
