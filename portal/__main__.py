"""``python -m portal …`` is the ``stoa`` command (handy from a checkout without installing)."""

from portal.cli import main

main()
