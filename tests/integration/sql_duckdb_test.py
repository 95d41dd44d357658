"""Differential tests of `tarn query` against DuckDB (tests/peers, from npm) on the seed's data:
2,000 generated sessions laid out as the seed's two tables (seed_lake.build_direct), a corpus of
analytic queries in Athena's dialect (tests/sql/duckdb_corpus.json), each with its DuckDB
translation over the same files, must give the same rows.

Corpus entries: {"name", "athena", "duckdb", "rows", optional "approx"}. In both texts {T} is the
table under test: an entry whose SQL holds {T} runs once per table, events_json and
events_parquet, and its "rows" maps "json"/"parquet" to DuckDB's row count. {J} and {P} name the
two tables, {TF} is {T} with DuckDB's filename column, {lake} is the lake folder. Comparison:
- column names must match (DuckDB's side aliases them as Athena names them: _col0, ...);
- rows in order when the Athena query ends in ORDER BY, otherwise as sorted multisets;
- numbers to 1e-9 relative; timestamps to the microsecond;
- "approx": {"col": "distinct"} allows approx_distinct 3 standard errors (3 x 2.3%) from DuckDB's
  exact count(DISTINCT); {"col": "percentile"} takes DuckDB's columns col__lo and col__hi (the
  exact quantiles 1% below and above) and requires lo <= tarn's value <= hi.

usage: sql_duckdb_test.py PATH_TO_TARN [unittest args]
       sql_duckdb_test.py --record PATH_TO_TARN   runs every DuckDB translation now and writes
                                                   their row counts into the corpus
"""
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import unittest

import seed_lake
import tarn_test_util as util
from sql_logic_test import has_top_level_order_by

HERE = os.path.dirname(os.path.abspath(__file__))
PEERS = os.path.join(os.path.dirname(HERE), "peers")
CORPUS = os.path.join(os.path.dirname(HERE), "sql", "duckdb_corpus.json")
SESSIONS = 2000
SEED = 7
TIMESTAMP = re.compile(r"^(\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d)(\.\d+)?$")
NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")
APPROX_DISTINCT_BOUND = 3 * 0.023


def load_corpus():
    with open(CORPUS) as f:
        return json.load(f)


def cases(corpus, lake):
    """Expands the corpus for `lake`: a list of dicts with id, entry, variant, athena, duckdb."""
    sources = {"json": seed_lake.duckdb_json_source(lake),
               "parquet": seed_lake.duckdb_parquet_source(lake)}
    out = []
    for entry in corpus:
        variants = ["json", "parquet"] if "{T}" in entry["athena"] + entry["duckdb"] else [None]
        for variant in variants:
            athena = entry["athena"].replace("{J}", "events_json").replace(
                "{P}", "events_parquet")
            duck = entry["duckdb"].replace("{J}", sources["json"]).replace(
                "{P}", sources["parquet"]).replace("{lake}", lake)
            if variant:
                athena = athena.replace("{T}", f"events_{variant}")
                with_files = sources[variant].replace(
                    "hive_partitioning=true", "hive_partitioning=true, filename=true")
                duck = duck.replace("{TF}", with_files).replace("{T}", sources[variant])
            out.append({"id": entry["name"] + (f"[{variant}]" if variant else ""),
                        "entry": entry, "variant": variant, "athena": athena, "duckdb": duck})
    return out


def duckdb_batch(queries, folder):
    """Runs every query in one DuckDB process (COPY ... TO one JSON-lines file each); returns
    a list whose items are (column names, rows) or an error text."""
    statements = []
    for i, sql in enumerate(queries):
        path = os.path.join(folder, f"q{i}.json")
        statements.append(f"COPY ({sql.rstrip().rstrip(';')}) TO '{path}' (FORMAT json)")
    proc = subprocess.run(["node", os.path.join(PEERS, "duckdb_peer.mjs"), "sql",
                           ";\n".join(statements) + ";\nSELECT 1 AS done"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=600)
    if proc.returncode != 0:
        # Find the failing statement so the message names it.
        results = []
        for sql in queries:
            results.append(duckdb_one(sql, folder))
        return results
    results = []
    for i in range(len(queries)):
        with open(os.path.join(folder, f"q{i}.json")) as f:
            results.append(parse_rows(f.read()))
    return results


def duckdb_one(sql, folder):
    path = os.path.join(folder, "one.json")
    proc = subprocess.run(["node", os.path.join(PEERS, "duckdb_peer.mjs"), "sql",
                           f"COPY ({sql.rstrip().rstrip(';')}) TO '{path}' (FORMAT json)"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=600)
    if proc.returncode != 0:
        return f"DuckDB failed: {proc.stderr.strip()}"
    with open(path) as f:
        return parse_rows(f.read())


def parse_rows(text):
    rows = [json.loads(line, object_pairs_hook=list) for line in text.splitlines() if line.strip()]
    names = [k for k, _ in rows[0]] if rows else None
    return names, [[v for _, v in row] for row in rows]


def normalize(value):
    """One form for both sides: numbers (and numeric text, which DuckDB gives for big integers
    and decimals) as floats, timestamps with six fraction digits."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        m = TIMESTAMP.match(value)
        if m:
            fraction = (m.group(2) or ".")[1:]
            return m.group(1).replace("T", " ") + "." + (fraction + "000000")[:6]
        if NUMBER.match(value) or value in ("NaN", "Infinity", "-Infinity"):
            return float(value)
    return value


def sort_key(row):
    key = []
    for v in row:
        if v is None:
            key.append((0, 0.0, ""))
        elif isinstance(v, bool):
            key.append((1, float(v), ""))
        elif isinstance(v, float):
            key.append((2, float(f"{v:.9g}") if math.isfinite(v) else v, ""))
        else:
            key.append((3, 0.0, str(v)))
    return key


def same(a, b):
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def compare(case, tarn_names, tarn_rows, duck_names, duck_rows):
    """None when tarn's result matches DuckDB's, else what differs."""
    approx = case["entry"].get("approx", {})
    # Fold DuckDB's percentile bounds col__lo, col__hi into one column holding (lo, hi).
    names, folded = [], []
    index = {}
    for i, name in enumerate(duck_names or []):
        base = name[:-4] if name.endswith(("__lo", "__hi")) else name
        if base not in index:
            index[base] = len(names)
            names.append(base)
    for row in duck_rows:
        out = [None] * len(names)
        for i, name in enumerate(duck_names):
            v = normalize(row[i])
            j = index[name[:-4] if name.endswith(("__lo", "__hi")) else name]
            if name.endswith("__lo"):
                out[j] = (v, out[j][1] if isinstance(out[j], tuple) else None)
            elif name.endswith("__hi"):
                out[j] = (out[j][0] if isinstance(out[j], tuple) else None, v)
            else:
                out[j] = v
        folded.append(out)
    ours = [[normalize(v) for v in row] for row in tarn_rows]
    if duck_names is not None and tarn_names is not None and tarn_names != names:
        return f"columns {tarn_names}, DuckDB's {names}"
    if len(ours) != len(folded):
        return f"{len(ours)} rows, DuckDB {len(folded)}; first rows: {ours[:5]} vs {folded[:5]}"
    if not has_top_level_order_by(case["athena"]):
        exact = [i for i, n in enumerate(names) if n not in approx]
        ours.sort(key=lambda r: sort_key([r[i] for i in exact]))
        folded.sort(key=lambda r: sort_key([r[i] for i in exact]))
    for n, (a, d) in enumerate(zip(ours, folded)):
        for c, name in enumerate(names):
            kind = approx.get(name)
            if kind == "distinct":
                bound = APPROX_DISTINCT_BOUND * (d[c] or 0)
                if a[c] is None or abs(a[c] - (d[c] or 0)) > bound:
                    return (f"row {n + 1} {name}: approx_distinct {a[c]} is more than 3 standard "
                            f"errors from the exact {d[c]}")
            elif kind == "percentile":
                lo, hi = d[c]
                if lo is None:
                    if a[c] is not None:
                        return f"row {n + 1} {name}: {a[c]}, expected NULL"
                elif a[c] is None or not lo <= a[c] <= hi:
                    return (f"row {n + 1} {name}: approx_percentile {a[c]} outside the exact "
                            f"quantiles 1% either side, [{lo}, {hi}]")
            elif not same(a[c], d[c]):
                return f"row {n + 1} {name}: tarn {a[c]!r}, DuckDB {d[c]!r}; row {a} vs {d}"
    return None


def tarn_rows(lake, sql):
    """(column names, rows) of tarn's answer, or a text saying why there is none."""
    try:
        proc = util.run("query", "--lake", lake, "-d", seed_lake.DATABASE, "--format", "json",
                        sql, timeout=60)
    except subprocess.TimeoutExpired:
        return "tarn query gave no answer within 60 s"
    if proc.returncode != 0:
        return f"tarn query exited {proc.returncode}: {proc.stderr.strip()}"
    try:
        return parse_rows(proc.stdout.decode())
    except ValueError as e:
        return f"tarn's output is not JSON lines ({e}): {proc.stdout[:300]!r}"


class SqlDuckDbTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory(prefix="tarn-sql-duckdb-")
        cls.lake = os.path.join(cls._tmp.name, "lake")
        cls.counts = seed_lake.build_direct(util.TARN, cls.lake, SESSIONS, SEED)
        cls.cases = cases(load_corpus(), cls.lake)
        cls.duck = duckdb_batch([c["duckdb"] for c in cls.cases], cls._tmp.name)

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def test_corpus_is_large_enough(self):
        corpus = load_corpus()
        self.assertGreaterEqual(len(corpus), 60)
        self.assertEqual(len({e["name"] for e in corpus}), len(corpus), "names must be unique")

    def test_duckdb_translations_run_with_the_recorded_row_counts(self):
        wrong = []
        for case, result in zip(self.cases, self.duck):
            if isinstance(result, str):
                wrong.append(f"{case['id']}: {result}")
                continue
            recorded = case["entry"].get("rows")
            if isinstance(recorded, dict):
                recorded = recorded.get(case["variant"])
            if recorded != len(result[1]):
                wrong.append(f"{case['id']}: DuckDB gives {len(result[1])} rows, the corpus "
                             f"records {recorded}")
        self.assertEqual(wrong, [], "\n".join(wrong))

    def test_tarn_matches_duckdb(self):
        failures = []
        for case, duck in zip(self.cases, self.duck):
            if isinstance(duck, str):
                failures.append(f"{case['id']}: {duck}")
                continue
            ours = tarn_rows(self.lake, case["athena"])
            why = ours if isinstance(ours, str) else compare(case, *ours, *duck)
            if why:
                failures.append(f"{case['id']}: {why}\n  SQL: {case['athena']}")
        self.assertEqual(len(failures), 0, f"{len(failures)} of {len(self.cases)} queries "
                         f"differ:\n\n" + "\n\n".join(failures[:30]))

    def test_june_query_same_rows_on_both_tables_and_in_duckdb(self):
        results = {}
        for table in ("events_json", "events_parquet"):
            out = tarn_rows(self.lake, seed_lake.JUNE_QUERY.format(table=table))
            self.assertNotIsInstance(out, str, out)
            results[table] = out
        self.assertEqual(results["events_json"], results["events_parquet"])
        names, rows = results["events_json"]
        self.assertEqual(names, ["day", "_col1"])
        june = [c for c in self.cases if c["entry"]["name"] == "seed_june_query"]
        self.assertEqual(len(june), 2)
        for case in june:
            duck = self.duck[self.cases.index(case)]
            self.assertGreaterEqual(len(duck[1]), 28, "June has a row for (almost) every day")
            self.assertIsNone(compare(case, names, rows, *duck))


class ServedLakeTest(util.TempDirTest):
    """The real ingestion path: a lake delivered by tarn serve answers the June query on both
    tables with DuckDB's rows (d= is the arrival date there, so only tstamp filters)."""

    def test_june_query_on_a_lake_delivered_by_tarn_serve(self):
        lake = os.path.join(self.tmp, "lake")
        sent = seed_lake.build_via_serve(util.TARN, lake, 500, SEED)
        self.assertGreater(sent, 3000)
        june = [c for c in cases(load_corpus(), lake) if c["entry"]["name"] == "seed_june_query"]
        duck = duckdb_batch([c["duckdb"] for c in june], self.tmp)
        for case, theirs in zip(june, duck):
            self.assertNotIsInstance(theirs, str, theirs)
            ours = tarn_rows(lake, seed_lake.JUNE_QUERY.format(table=f"events_{case['variant']}"))
            self.assertNotIsInstance(ours, str, ours)
            self.assertGreater(len(theirs[1]), 0)
            self.assertIsNone(compare(case, *ours, *theirs), case["id"])


def record(tarn):
    """Runs every DuckDB translation and writes its row count into the corpus."""
    corpus = load_corpus()
    with tempfile.TemporaryDirectory(prefix="tarn-sql-duckdb-") as tmp:
        lake = os.path.join(tmp, "lake")
        seed_lake.build_direct(tarn, lake, SESSIONS, SEED)
        expanded = cases(corpus, lake)
        results = duckdb_batch([c["duckdb"] for c in expanded], tmp)
    failed = 0
    counts = {}
    for case, result in zip(expanded, results):
        if isinstance(result, str):
            print(f"FAILED {case['id']}: {result}")
            failed += 1
            continue
        counts.setdefault(case["entry"]["name"], {})[case["variant"]] = len(result[1])
    for entry in corpus:
        got = counts.get(entry["name"], {})
        entry["rows"] = got.get(None) if None in got else got
    with open(CORPUS, "w") as f:
        f.write("[\n" + ",\n".join(json.dumps(e, ensure_ascii=False) for e in corpus) + "\n]\n")
    print(f"{len(corpus)} queries, {len(expanded)} runs, {failed} failed in DuckDB")
    return failed


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "--record":
        sys.exit(1 if record(os.path.abspath(sys.argv[2])) else 0)
    util.main()
