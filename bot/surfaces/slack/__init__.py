"""Slack: the bolt app, Block Kit rendering and the app manifest."""
