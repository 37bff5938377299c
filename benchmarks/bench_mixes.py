"""Time ``procdata validate`` on the clean national table and on variants where 20% of the rows draw one
other kind of problem each: speed that holds for problem mixes beyond ``bench_scale.py``'s.

From the clean table of ``tables.py`` (generator v3), each variant changes one column in a random 20%
of the rows (seeded), read and written by Arrow:

- ``baddate``: a contract date that is no date (``2568-13-45``): an error each;
- ``unknownmethod``: a method no vocabulary knows, 50 spellings: an error each, with a suggestion;
- ``uniquestatus``: a status no vocabulary knows, different on every row (the worst case for the
  suggestions, which are made once per distinct value): a warning each;
- ``badtax``: a taxpayer ID whose check digit is wrong: a warning each;
- ``textamount``: an agreed price written as words (``ประมาณ 5,000 บาท``): an error each;
- ``overbudget``: an agreed price 1.5 times the budget: an error each;
- ``endbefore``: a contract that ends before it is signed: an error each;
- ``controls``: an item name with a control character: a warning each;
- ``hotkey``: one project number on 20% of the rows (a duplicate error each, and the merge's conflicts).

And layouts of the same values, as other writers lay out the bidders JSON, in every row (no problem;
issue 12, stop 30: a layout no fast path knew was parsed value by value, 4x the clean time):

- ``pricefirst``: ``{"price": ..., "name": ...}``;
- ``spacedjson``: a space inside the brackets, ``[ {...}, {...} ]``;
- ``twoplaces``: prices with two decimal places (``27777.90``, ``28000.00``);
- ``extrakey``: another key in each object (``"tax_id": null``; parsed value by value until stop 32);
- ``textprices``: prices written as texts, ``"price": "27777.9"`` (stop 31 read them as amounts value by
  value, 6x the clean time; since stop 32 they become numbers in C);
- ``longdecimals``: prices with 20 decimal places or so (``27777.90000000000000000001``, the same floats), as
  unrounded floats are written (stop 32: parsed value by value before, 3.5x at 200,000 rows);
- ``groupedprices``: prices as texts grouped in thousands (``"27,777.90"``; stop 32: 5.6x before);
- ``escapedfirst``: ``json.dumps``' defaults (``\\uXXXX`` escapes) with ``"price"`` first (stop 32: 4x before).

And ``distinctwinners``: every row's winner a name of its own (a branch: ``... สาขา 123``), in its
bidders too (no problem; the merge folds each distinct name once).

And other columns as other writers lay them out (stop 33, no problem either):

- ``dashedtax``: every taxpayer ID grouped by hyphens, ``0-8742-07728-72-7`` (1.8x before stop 33);
- ``amountunit``: every agreed price with its unit, ``27243.33 บาท`` (1.7x at 200,000 rows before);
- ``twolines``: the item names of 20% of the rows on two lines, a quoted CR LF inside (read whole before
  stop 33: 2,052 MiB at 1M rows with 1% of them).

Each variant is written next to the clean table, timed against it in turns (one run of each, then the
next round), and removed unless ``--keep``. Prints the time, CPU, peak memory and problems of each,
and each variant's time as a multiple of the clean one's (issue 12: at most 2). Run from the
repository root:

    PYTHONPATH=src python3 benchmarks/bench_mixes.py                       # 1,000,000 rows, every mix
    PYTHONPATH=src python3 benchmarks/bench_mixes.py --rows 200000 --mixes uniquestatus,hotkey --repeat 3
    PYTHONPATH=src python3 benchmarks/bench_mixes.py --mixes pricefirst,spacedjson,twoplaces,extrakey,textprices,longdecimals,groupedprices,escapedfirst
    PYTHONPATH=src python3 benchmarks/bench_mixes.py --mixes dashedtax,amountunit,twolines
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

from bench_scale import run
from tables import cached

SHARE = 0.2  # of the rows that draw a variant's problem


def variant(clean: Path, out: Path, mix: str, seed: int = 7) -> None:
    """``clean`` with one kind of problem in :data:`SHARE` of its rows, written to ``out``."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    with clean.open(encoding="utf-8") as handle:
        names = handle.readline().strip().replace('"', "").split(",")
    table = pacsv.read_csv(clean, convert_options=pacsv.ConvertOptions(
        column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False))
    rows = table.num_rows
    rng = np.random.default_rng(seed)
    chosen = pa.array(rng.random(rows) < SHARE)

    def column(name: str) -> pa.Array:
        return table[name].combine_chunks()

    def numbered(prefix: str, numbers: np.ndarray) -> pa.Array:
        return pc.binary_join_element_wise(pa.scalar(prefix), pc.cast(pa.array(numbers), pa.string()), pa.scalar(""))

    tax = column("winner_tax_id")
    changes = {
        "baddate": ("contract_date", pa.scalar("2568-13-45")),
        "unknownmethod": ("method", numbered("วิธีพิเศษ ", rng.integers(0, 50, rows))),
        "uniquestatus": ("status", numbered("สถานะ ", np.arange(rows))),
        "badtax": ("winner_tax_id", pc.binary_join_element_wise(
            pc.utf8_slice_codeunits(tax, 0, 12), pc.cast(pa.array(rng.integers(0, 10, rows)), pa.string()), pa.scalar(""))),
        "textamount": ("agreed_price", pa.scalar("ประมาณ 5,000 บาท")),
        "overbudget": ("agreed_price", pc.cast(pc.multiply(pc.cast(column("budget_amount"), pa.float64()), 1.5), pa.string())),
        "endbefore": ("contract_end_date", pa.scalar("2020-01-01")),
        "controls": ("item_name", pc.binary_join_element_wise(column("item_name"), pa.scalar("\x07"), pa.scalar(""))),
        "hotkey": ("project_id", pa.scalar("67000000001")),
    }
    bidders = column("bidders")
    layouts = {
        "pricefirst": pc.replace_substring_regex(bidders, r'\{"name": ("[^"]*"), "price": ([^}]*)\}', r'{"price": \2, "name": \1}'),
        "spacedjson": pc.replace_substring(pc.replace_substring(bidders, "[{", "[ {"), "}]", "} ]"),
        "twoplaces": pc.replace_substring_regex(bidders, r'("price": -?[0-9]+\.[0-9])([,}])', r"\10\2"),
        "extrakey": pc.replace_substring(bidders, "}", ', "tax_id": null}'),
        "textprices": pc.replace_substring_regex(bidders, r'"price": (-?[0-9][0-9.]*)', r'"price": "\1"'),
        "longdecimals": pc.replace_substring_regex(bidders, r'("price": -?[0-9]+\.[0-9]+)', r"\10000000000000000001"),
    }
    # Other columns as other writers lay them out (stop 33): every taxpayer ID grouped by hyphens, every
    # agreed price with its unit, and the item names of SHARE of the rows on two lines (Alt+Enter).
    layouts_elsewhere = {
        "dashedtax": ("winner_tax_id", pc.replace_substring_regex(tax, r"^(\d)(\d{4})(\d{5})(\d{2})(\d)$", r"\1-\2-\3-\4-\5")),
        "amountunit": ("agreed_price", pc.binary_join_element_wise(column("agreed_price"), pa.scalar(" บาท"), pa.scalar(""))),
        "twolines": ("item_name", pc.if_else(chosen, pc.binary_join_element_wise(
            column("item_name"), pa.scalar("\r\nหมู่ 3"), pa.scalar("")), column("item_name"))),
    }
    if mix in PER_CELL:  # each cell's bidders read and written again in Python
        name, changed = "bidders", pa.array([_written_again(text, PER_CELL[mix]) for text in bidders.to_pylist()], pa.string())
    elif mix == "distinctwinners":
        winner = column("winner_name")
        branch = pc.binary_join_element_wise(winner, pa.scalar(" สาขา "), pc.cast(pa.array(np.arange(rows)), pa.string()), pa.scalar(""))
        cells = [
            text.replace(f'"{old}"', f'"{new}"') if old else text
            for text, old, new in zip(bidders.to_pylist(), winner.to_pylist(), branch.to_pylist(), strict=True)
        ]
        table = table.set_column(table.schema.get_field_index("bidders"), "bidders", pa.array(cells, pa.string()))
        name, changed = "winner_name", branch
    elif mix in layouts:
        name, changed = "bidders", layouts[mix]
    elif mix in layouts_elsewhere:
        name, changed = layouts_elsewhere[mix]
    else:
        name, value = changes[mix]
        changed = pc.if_else(chosen, value, column(name))
    table = table.set_column(table.schema.get_field_index(name), name, changed)
    pacsv.write_csv(table, out, pacsv.WriteOptions(quoting_style="needed"))


def _grouped(bids: list[dict]) -> str:
    return json.dumps([{**bid, "price": f"{bid['price']:,.2f}"} if isinstance(bid.get("price"), float) else bid for bid in bids],
                      ensure_ascii=False)


def _escaped_first(bids: list[dict]) -> str:
    return json.dumps([{"price": bid.get("price"), "name": bid.get("name")} for bid in bids])


PER_CELL = {"groupedprices": _grouped, "escapedfirst": _escaped_first}


def _written_again(text: str | None, write: Callable[[list[dict]], str]) -> str | None:
    """A bidders cell written again by ``write``, or as it is where it is no JSON list."""
    try:
        bids = json.loads(text) if text else None
    except ValueError:
        return text
    return write(bids) if isinstance(bids, list) and all(isinstance(bid, dict) for bid in bids) else text


MIXES = (
    "baddate", "unknownmethod", "uniquestatus", "badtax", "textamount", "overbudget", "endbefore", "controls", "hotkey",
    "pricefirst", "spacedjson", "twoplaces", "extrakey", "textprices", "longdecimals", "groupedprices", "escapedfirst",
    "distinctwinners", "dashedtax", "amountunit", "twolines",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--mixes", default=",".join(MIXES), help="comma-separated, of: " + ", ".join(MIXES))
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/procdata-bench"))
    parser.add_argument("--keep", action="store_true", help="keep the variants' files")
    args = parser.parse_args()
    mixes = [m for m in args.mixes.split(",") if m]
    unknown = sorted(set(mixes) - set(MIXES))
    if unknown:
        parser.error(f"unknown mixes: {', '.join(unknown)}")
    source = cached(args.dir, args.rows)
    # The clean table written by Arrow as the variants are, so that only the problems differ.
    clean = args.dir / f"mix-{args.rows}-clean.csv"
    if not clean.exists():
        _make(source, clean, "clean")
    print(f"$ {sys.executable} -m procdata validate INPUT --format json   ({args.rows:,} rows; each mix against the clean table, in turns)", flush=True)
    rows = []
    for mix in mixes:
        path = args.dir / f"mix-{args.rows}-{mix}.csv"
        if not path.exists():
            _make(source, path, mix)
        times: dict[str, list[tuple[float, float, int, dict]]] = {"clean": [], mix: []}
        for _ in range(args.repeat):
            for name, file in (("clean", clean), (mix, path)):
                measured = run([sys.executable, "-m", "procdata", "validate", str(file), "--format", "json"], [file])
                times[name].append((measured.seconds, measured.cpu, measured.peak, measured.summary))
                print(f"  {name:14} {measured.seconds:6.2f} s  CPU {measured.cpu:6.2f} s  {measured.peak / 2**20:7,.0f} MiB  "
                      f"exit {measured.code}{measured.waits()}", flush=True)
        if not args.keep:
            path.unlink()
        base = statistics.median(t[0] for t in times["clean"])
        own = statistics.median(t[0] for t in times[mix])
        summary = times[mix][-1][3]
        rows.append((mix, own, own / base, max(t[2] for t in times[mix]), summary.get("errors", 0), summary.get("warnings", 0)))
    print()
    print(f"{'mix':15} {'median':>8} {'x clean':>8} {'peak MiB':>9} {'errors':>9} {'warnings':>9}")
    for mix, own, ratio, peak, errors, warnings in rows:
        print(f"{mix:15} {own:7.2f}s {ratio:7.2f}x {peak / 2**20:9,.0f} {errors:9,} {warnings:9,}")
    worst = max(rows, key=lambda r: r[2]) if rows else None
    if worst:
        print(f"\nslowest mix: {worst[0]}, {worst[2]:.2f} x the clean time (goal <= 2)")


def _make(source: Path, out: Path, mix: str) -> None:
    """Write a variant (or the clean table again) in a child process: the timed children are forked
    from this one, and a child forked from a process holding a table counts its memory as its own."""
    import subprocess

    subprocess.run([sys.executable, __file__, "--make", str(source), str(out), mix], check=True)


def _rewrite(source: Path, out: Path) -> None:
    """``source`` read and written again by Arrow (quoting as the variants are quoted)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    with source.open(encoding="utf-8") as handle:
        names = handle.readline().strip().replace('"', "").split(",")
    table = pacsv.read_csv(source, convert_options=pacsv.ConvertOptions(
        column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False))
    pacsv.write_csv(table, out, pacsv.WriteOptions(quoting_style="needed"))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--make"]:
        made_from, made, made_mix = sys.argv[2:5]
        if made_mix == "clean":
            _rewrite(Path(made_from), Path(made))
        else:
            variant(Path(made_from), Path(made), made_mix)
    else:
        main()
