"""Discord: the discord.py app and embed rendering."""
