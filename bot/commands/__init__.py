"""The commands: one registry entry each, with the parser of its text and the function that runs it."""
