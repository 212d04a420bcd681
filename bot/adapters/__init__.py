"""Platform adapters (Slack, Discord, console) that render the core's neutral answers."""
