"""`python -m optiagent.cli` runs the command line."""

from optiagent.cli.app import main

main()
