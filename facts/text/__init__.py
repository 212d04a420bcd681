"""Plain-text tools every stage uses: passage splitting, stop words, cheap prefilters. Imports no other
part of facts.
"""
