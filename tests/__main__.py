"""`python -m tests`: the suite in parallel worker processes (tests/parallel.py)."""

import sys

from tests import parallel

if __name__ == "__main__":
    sys.exit(parallel.main())
