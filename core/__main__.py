import sys

from gipcheck.cli import main

sys.exit(main())
