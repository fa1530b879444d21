"""``python -m monnaie_locale.verify``: see :mod:`monnaie_locale.verify.command`."""

import sys

from monnaie_locale.verify.command import main

# Guarded: a tool that imports every module (the catalogues' test does) must not run it.
if __name__ == "__main__":
    sys.exit(main())
