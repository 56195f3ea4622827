"""One module per fttrack subcommand that has no package of its own."""
