"""Deprecated alias of `pycwt_mod.montecarlo.surrogates`; import from there.

`pycwt_mod.surrogates` re-exports the public names of `pycwt_mod.montecarlo.surrogates`
and will be removed in a later release.
"""

from .montecarlo.surrogates import *  # noqa: F403 - the alias re-exports the new module's names
from .montecarlo.surrogates import __all__  # noqa: F401
