"""Convert the CDNow sample purchase log (Fader & Hardie) into src/tierwise/demo/cdnow/transactions.csv.

The source has one line per purchase: master id, sample id, date (YYYYMMDD), number of
CDs, dollar amount. The sample id (1..2357) becomes ``customer_id``.

Usage: python scripts/cdnow_to_csv.py tests/data/cdnow/CDNOW_sample.txt src/tierwise/demo/cdnow
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path


def main(source: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    with (
        source.open(encoding="ascii") as src,
        (target / "transactions.csv").open("w", newline="", encoding="utf-8") as dst,
    ):
        writer = csv.writer(dst)
        writer.writerow(["customer_id", "date", "quantity", "amount"])
        for line in src:
            parts = line.split()
            if not parts:
                continue
            _, sample_id, day, quantity, amount = parts
            writer.writerow([str(int(sample_id)), f"{day[:4]}-{day[4:6]}-{day[6:]}", int(quantity), amount])


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
