"""`python -m aggregator.cli` runs the command line (the same as `union-news`)."""

from aggregator.cli import main

main()
