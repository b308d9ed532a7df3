"""``python -m ganleak_cli.cli``: the ``ganleak`` command."""

from ganleak_cli.cli.main import main

main()
