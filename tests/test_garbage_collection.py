"""The served app's garbage collection: what it built is frozen, the young generation grows.

Run in a process of its own: freezing is for the life of a process, which the test suite's
own is not to get.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import app
from middleware import garbage_collection

_REPORT = """
import gc, json
import app
before = gc.get_freeze_count()
app.from_environment()
print(json.dumps({"before": before, "frozen": gc.get_freeze_count(),
                  "threshold": gc.get_threshold()[0]}))
"""


def test_the_served_app_freezes_what_it_built_and_collects_the_young_less_often(tmp_path):
    environment = {**os.environ, "DATABASE_URL": f"sqlite://{tmp_path}/gc.sqlite3",
                   "SECRET_KEY": "k" * 43}
    found = subprocess.run([sys.executable, "-c", _REPORT], cwd=Path(app.__file__).parent,
                           env=environment, capture_output=True, text=True, check=True,
                           timeout=120)
    report = json.loads(found.stdout.strip().splitlines()[-1])
    assert report["before"] == 0
    assert report["frozen"] > 50_000
    assert report["threshold"] == garbage_collection.YOUNG_OBJECTS_BEFORE_COLLECTION > 700
