"""Plain-text tools every stage uses: passage splitting, stop words, cheap prefilters, clipping
a text to a length. Imports no other part of facts.
"""
