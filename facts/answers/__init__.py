"""Stage 4, answering: the commands' questions over the store, answer lines, summaries, /ask and digest
content.
"""
