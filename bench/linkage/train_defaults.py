"""Train the shipped default parameters (varde/linkage/default_parameters.json) on synthetic data.

The defaults are used only until the first real linkage run has trained a model on real referrals
(e.g. by the "likely earlier record" hint on a fresh installation).

    python bench/linkage/train_defaults.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.linkage.generate import generate  # noqa: E402
from varde.linkage.pipeline import link_records  # noqa: E402


def main() -> None:
    rows, _truth = generate(4000, seed=11)
    result = link_records(rows)
    out = Path(__file__).resolve().parents[2] / "varde" / "linkage" / "default_parameters.json"
    out.write_text(json.dumps(result.params.to_json(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
