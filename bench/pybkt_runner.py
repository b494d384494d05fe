"""Fit and score pyBKT on the Gervet ASSISTments 2009 split; prints one JSON object.

Runs inside the throwaway venv that ``bench/kt.py`` builds (pyBKT needs numpy<2 and
scikit-learn<1.6), so it imports nothing from Tandem. Each answer is one row whose
``skill_name`` is Gervet's ``skill_id`` column (the item's combination of skills), the way
pyBKT's published figure on this split was produced.

    python bench/pybkt_runner.py TRAIN.csv TEST.csv [--seed 42] [--num-fits 5] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import time
from importlib import metadata


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("train")
    parser.add_argument("test")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--num-fits", type=int, default=5)
    parser.add_argument("--limit", type=int, default=0, help="use only the first N rows")
    args = parser.parse_args(argv)

    import numpy as np
    import pandas as pd
    from pyBKT.models import Model
    from sklearn.metrics import log_loss, roc_auc_score

    def read(path: str) -> pd.DataFrame:
        frame = pd.read_csv(path, sep="\t")
        if args.limit:
            frame = frame.iloc[: args.limit]
        return pd.DataFrame(
            {
                "order_id": np.arange(len(frame)),
                "user_id": frame["user_id"].astype(str),
                "skill_name": frame["skill_id"].astype(str),
                "correct": frame["correct"].astype(int),
            }
        )

    train, test = read(args.train), read(args.test)
    model = Model(seed=args.seed, num_fits=args.num_fits)
    start = time.perf_counter()
    model.fit(data=train)
    fit_seconds = time.perf_counter() - start
    # pyBKT cannot predict skills it never fitted; score those rows with the training mean,
    # as a model without parameters for them would.
    known = test["skill_name"].isin(set(train["skill_name"]))
    start = time.perf_counter()
    predicted = model.predict(data=test[known])
    predict_seconds = time.perf_counter() - start
    p = np.full(len(test), float(train["correct"].mean()))
    p[known.to_numpy()] = predicted.sort_values("order_id")["correct_predictions"].to_numpy()
    p = np.clip(p, 1e-6, 1 - 1e-6)
    y = test["correct"].to_numpy()
    print(
        json.dumps(
            {
                "model": "pyBKT",
                "auc": float(roc_auc_score(y, p)),
                "rmse": float(np.sqrt(np.mean((y - p) ** 2))),
                "logloss": float(log_loss(y, p)),
                "fit_seconds": fit_seconds,
                "predict_per_second": len(test) / predict_seconds,
                "n_train": len(train),
                "n_test": len(test),
                "unfitted_skill_rows": int((~known).sum()),
                "peak_memory_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "versions": {
                    "pyBKT": metadata.version("pyBKT"),
                    "numpy": np.__version__,
                    "pandas": pd.__version__,
                    "python": platform.python_version(),
                },
                "settings": {"num_fits": args.num_fits, "seed": args.seed},
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
