"""Deprecated alias of `pycwt_mod.areawise.cumulative`; import from there.

`pycwt_mod.cumulative` re-exports the public names of `pycwt_mod.areawise.cumulative`
and will be removed in a later release.
"""

from .areawise.cumulative import *  # noqa: F403 - the alias re-exports the new module's names
from .areawise.cumulative import __all__  # noqa: F401
