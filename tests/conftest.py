"""Shared by every test folder: tests/ itself is importable, for the helpers that live here
(_spec_validation, _expected_errors)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
