"""``python -m monnaie_locale.verify``: see :mod:`monnaie_locale.verify.command`."""

import sys

from monnaie_locale.verify.command import main

sys.exit(main())
