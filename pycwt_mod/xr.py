"""Deprecated alias of `pycwt_mod.labelled`; import from there.

`pycwt_mod.xr` re-exports the public names of `pycwt_mod.labelled`
and will be removed in a later release.
"""

from .labelled import *  # noqa: F403 - the alias re-exports the new module's names
from .labelled import __all__  # noqa: F401
