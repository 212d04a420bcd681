"""factdesk's conversation layer: the command registry, the CLI and the chat adapters."""
