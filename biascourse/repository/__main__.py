"""``python -m biascourse.repository {show,check,set OWNER/NAME}``: see :mod:`biascourse.repository`."""
import sys

from . import main

sys.exit(main())
