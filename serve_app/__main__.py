"""``python -m serve_app``: see `serve_app.launcher`."""

import sys

from .launcher import main

sys.exit(main())
