"""Deprecated alias of `pycwt_mod.montecarlo.backends`; import from there.

`pycwt_mod.backends` re-exports the public names of `pycwt_mod.montecarlo.backends`
and will be removed in a later release.
"""

from .montecarlo.backends import *  # noqa: F403 - the alias re-exports the new module's names
from .montecarlo.backends import __all__  # noqa: F401
