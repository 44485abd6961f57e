"""`python -m webstarter` runs the same CLI as the `webstarter` script."""

from webstarter.cli import main

main()
