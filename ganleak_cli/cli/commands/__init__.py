"""The command line's commands, one module each, with the option declarations they share."""
