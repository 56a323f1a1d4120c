"""Deprecated alias of `pycwt_mod.areawise.patches`; import from there.

`pycwt_mod.patches` re-exports the public names of `pycwt_mod.areawise.patches`
and will be removed in a later release.
"""

from .areawise.patches import *  # noqa: F403 - the alias re-exports the new module's names
from .areawise.patches import __all__  # noqa: F401
