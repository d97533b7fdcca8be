"""Writes presets/data/stores.csv: weekly sales of 40 stores, the example for the tabular_csv family.

Each store has its own response to price and promotions (a per-store linear
relation plus noise), which is what meta-learning can exploit: a new store's
few weeks of data pin down its relation quickly when the shared structure is
already known.

    python resources/make_example_csv.py
"""

import csv
import random
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "presets" / "data" / "stores.csv"


def main() -> None:
    rng = random.Random(7)
    rows = []
    for store in range(40):
        base, price_effect, promo_effect = rng.uniform(50, 150), rng.uniform(-12, -4), rng.uniform(5, 30)
        region = rng.choice(["north", "south", "east", "west"])
        for week in range(1, 31):
            price = round(rng.uniform(2.0, 6.0), 2)
            promo = rng.random() < 0.3
            temperature = round(rng.gauss(15, 8), 1)
            sales = base + price_effect * price + promo_effect * promo + 0.8 * temperature + rng.gauss(0, 4)
            rows.append([f"store-{store:02d}", week, region, price, int(promo), temperature, round(sales, 1)])
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["store", "week", "region", "price", "promotion", "temperature", "sales"])
        writer.writerows(rows)
    print(f"wrote {OUT} ({len(rows)} rows)")


if __name__ == "__main__":
    main()
