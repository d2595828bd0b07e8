"""What modules on `hwaccept`'s start-up path take from `typing`, without importing it.

Importing `typing` takes about 3 ms, a twentieth of `hwaccept inventory`. Type checkers
treat any `TYPE_CHECKING` as true, so names used only in annotations are imported under
`if TYPE_CHECKING:`. A seam's interface is a `Protocol` to the type checker and a plain
class at run time, where nothing instantiates it or checks against it.
"""

__all__ = ["TYPE_CHECKING", "Protocol"]

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Protocol
else:
    Protocol = object
