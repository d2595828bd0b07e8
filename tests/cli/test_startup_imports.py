"""`hwaccept inventory` imports only what it uses (see bench/inventory_vs_lshw.py).

Each of these modules cost 1-5 ms to import, against a whole inventory of about 60 ms;
one import of them anywhere on the path brings the cost back.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

AVOIDED = ("typing", "dataclasses", "inspect", "logging", "concurrent.futures", "queue")

IMPORTED_AFTER_RUN = """
import contextlib, io, json, sys
from hwaccept.cli.main import main
with contextlib.redirect_stdout(io.StringIO()):
    status = main(sys.argv[1:])
print(json.dumps({"status": status, "modules": sorted(sys.modules)}))
"""


@pytest.mark.parametrize("shape", [(), ("--json",)])
def test_a_live_inventory_imports_none_of_the_slow_modules(shape: tuple[str, ...]) -> None:
    done = subprocess.run([sys.executable, "-c", IMPORTED_AFTER_RUN, "inventory", *shape],
                          capture_output=True, text=True, timeout=120, check=True)
    seen = json.loads(done.stdout)
    assert seen["status"] == 0
    assert [name for name in AVOIDED if name in seen["modules"]] == []
    assert "hwaccept.inventory.records" in seen["modules"]
