"""Surfaces (Slack, Discord, console) that turn platform input into requests and render neutral answers."""
