"""`python -m tf1_schedules ...`: the `tf1-schedules` command line."""
import sys

from tf1_schedules.tools.cli import main

if __name__ == "__main__":
    sys.exit(main())
