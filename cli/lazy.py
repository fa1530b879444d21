"""Core modules loaded on first use, so that asking a command for its help, or giving it
a bad option, costs no database library.

``transfers = lazy("monnaie_locale.acts.transfers")`` binds a module whose code runs the
first time one of its attributes is read: when the command runs, not when ``mlc`` builds
its help. Modules import each other as usual after that. Type checkers see the real
import, written under ``TYPE_CHECKING`` beside it.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

__all__ = ["lazy"]


def lazy(name: str) -> ModuleType:
    """The module ``name``, executed on first attribute access (already loaded: as is)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(name)
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, module)
    return module
