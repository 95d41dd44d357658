"""SQL logic tests: runs every tests/sql/*.test file through the real `tarn query`, each file in a
fresh empty lake. The format is defined in docs/sql-tests.md; in short:

    statement ok                      a statement that must succeed (DDL or a query)
    statement error SUBSTRING         a statement that must fail (exit 1 or 2) with SUBSTRING on
                                      standard error
    query [TYPES] [rowsort|nosort] [columns=a,b]
    SQL                               a query and its rows after '----', tab-separated; TYPES
    ----                              (I integer, R double, T text, B boolean) check each value's
    ROWS                              kind; rows compare in order when the query ends in ORDER BY,
                                      else sorted
    file PATH [SCHEMA]                writes LAKE/PATH from the lines that follow: JSON lines
                                      (gzip-compressed when PATH ends in .gz; Parquet through
                                      tarn convert --schema SCHEMA when PATH ends in .parquet)

Blocks end at a blank line; '#' starts a comment line between blocks.

usage: sql_logic_test.py PATH_TO_TARN [FILE.test ...] [unittest args]
       sql_logic_test.py --parse-only [FILE.test ...]    checks the files' syntax only
"""
import glob
import gzip
import hashlib
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SQL_DIR = os.path.join(os.path.dirname(HERE), "sql")
TARN = None
TYPE_LETTERS = re.compile(r"^[ITRB]+$")
QUERY_TIMEOUT = 60


class Record:
    """One block of a .test file: kind is statement, query or file."""

    def __init__(self, kind, line, header, body, expected=None):
        self.kind, self.line, self.header, self.body = kind, line, header, body
        self.expected = expected


def parse(path):
    """Returns the records of the .test file at `path`; raises ValueError naming file and line."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    name = os.path.basename(path)
    records = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip() or line.startswith("#"):
            i += 1
            continue
        start = i + 1
        words = line.split(None, 1)
        kind, rest = words[0], (words[1] if len(words) > 1 else "")
        i += 1
        body = []
        while i < len(lines) and lines[i].strip() and (kind == "file" or lines[i] != "----"):
            body.append(lines[i])
            i += 1
        if kind == "statement":
            if rest != "ok" and not rest.startswith("error"):
                raise ValueError(f"{name}:{start}: expected 'statement ok' or 'statement error "
                                 f"MESSAGE', got {line!r}")
            if rest.startswith("error") and not rest[5:].strip():
                raise ValueError(f"{name}:{start}: 'statement error' needs the message part "
                                 f"that standard error must contain")
            if not body:
                raise ValueError(f"{name}:{start}: statement without SQL")
            records.append(Record("statement", start, rest, "\n".join(body)))
        elif kind == "query":
            if i >= len(lines) or lines[i] != "----":
                raise ValueError(f"{name}:{start}: query without a '----' line before its rows")
            i += 1
            expected = []
            while i < len(lines) and lines[i] != "":
                expected.append(lines[i])
                i += 1
            header = parse_query_header(rest, f"{name}:{start}")
            if header["types"] and any(len(r.split("\t")) != len(header["types"])
                                       for r in expected):
                raise ValueError(f"{name}:{start}: a row does not have {len(header['types'])} "
                                 f"tab-separated values ({header['types']})")
            records.append(Record("query", start, header, "\n".join(body), expected))
        elif kind == "file":
            if not rest:
                raise ValueError(f"{name}:{start}: 'file' needs a lake-relative path")
            records.append(Record("file", start, rest, body))
        elif kind == "halt":
            break
        else:
            raise ValueError(f"{name}:{start}: unknown record {kind!r}")
    return records


def parse_query_header(text, where):
    header = {"types": "", "sort": None, "columns": None}
    for word in text.split():
        if TYPE_LETTERS.match(word):
            header["types"] = word
        elif word in ("rowsort", "nosort"):
            header["sort"] = word
        elif word.startswith("columns="):
            header["columns"] = word[len("columns="):].split(",")
        else:
            raise ValueError(f"{where}: unknown query option {word!r}")
    return header


def has_top_level_order_by(sql):
    """True when ORDER BY appears outside parentheses, strings and comments."""
    text = re.sub(r"'(?:[^']|'')*'", "''", sql)
    text = re.sub(r'"(?:[^"]|"")*"', '""', text)
    text = re.sub(r"--[^\n]*", "", text)
    depth = 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0 and re.match(r"order\s+by\b", text[i:i + 20], re.I) and (
                i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            return True
    return False


def render(value):
    """The text form of one JSON value from `tarn query --format json`."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        if value == "":
            return "(empty)"
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    return repr(value) if isinstance(value, float) else str(value)


def check_value(kind, actual, expected):
    """None when `actual` (a JSON value) is `expected` (text) for type letter `kind`, else why."""
    if expected == "NULL" or actual is None:
        return None if expected == "NULL" and actual is None else "NULL mismatch"
    if kind == "I":
        if isinstance(actual, bool) or not isinstance(actual, int):
            return f"expected an integer, got {json.dumps(actual)}"
        return None if str(actual) == expected else "different value"
    if kind == "R":
        if isinstance(actual, str) and actual in ("NaN", "Infinity", "-Infinity"):
            return None if actual == expected else "different value"
        if isinstance(actual, bool) or not isinstance(actual, (int, float)):
            return f"expected a double, got {json.dumps(actual)}"
        want = float(expected)
        return None if math.isclose(actual, want, rel_tol=1e-9, abs_tol=1e-12) else \
            "different value"
    if kind == "B":
        if not isinstance(actual, bool):
            return f"expected a boolean, got {json.dumps(actual)}"
        return None if render(actual) == expected else "different value"
    if kind == "T" and not isinstance(actual, str):
        return f"expected text, got {json.dumps(actual)}"
    return None if render(actual) == expected else "different value"


def sort_key(types, cells):
    key = []
    for i, cell in enumerate(cells):
        kind = types[i] if i < len(types) else "T"
        if cell == "NULL":
            key.append((0, 0, ""))
        elif kind in "IR":
            try:
                key.append((1, float(cell), ""))
            except ValueError:
                key.append((2, 0, cell))
        else:
            key.append((2, 0, cell))
    return key


class LakeSession:
    """Runs one .test file's records against a fresh lake."""

    def __init__(self, lake, name):
        self.lake, self.name = lake, name

    def tarn(self, sql, *flags):
        return subprocess.run([TARN, "query", "--lake", self.lake, *flags, sql],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=QUERY_TIMEOUT)

    def write_file(self, record):
        words = record.header.split(None, 1)
        path = os.path.join(self.lake, words[0])
        os.makedirs(os.path.dirname(path), exist_ok=True)
        data = "".join(line + "\n" for line in record.body).encode()
        if path.endswith(".parquet"):
            if len(words) < 2:
                return f"file {words[0]}: a Parquet file needs its schema after the path"
            source = path + ".source.json"
            with open(source, "wb") as f:
                f.write(data)
            proc = subprocess.run([TARN, "convert", source, path, "--schema", words[1], "-q"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            os.remove(source)
            if proc.returncode != 0:
                return f"tarn convert for {words[0]} failed: {proc.stderr.strip()}"
        elif path.endswith(".gz"):
            with gzip.open(path, "wb") as f:
                f.write(data)
        else:
            with open(path, "wb") as f:
                f.write(data)
        return None

    def statement(self, record):
        proc = self.tarn(record.body)
        if record.header == "ok":
            if proc.returncode != 0:
                return f"statement failed (exit {proc.returncode}): {proc.stderr.strip()}"
            return None
        want = record.header[len("error"):].strip()
        if proc.returncode not in (1, 2):
            return (f"statement should fail with {want!r} but exited {proc.returncode}; "
                    f"stdout: {proc.stdout[:300]!r}")
        if want not in proc.stderr:
            return f"error should contain {want!r}, got: {proc.stderr.strip()}"
        return None

    def query(self, record):
        proc = self.tarn(record.body, "--format", "json")
        if proc.returncode != 0:
            return f"query failed (exit {proc.returncode}): {proc.stderr.strip()}"
        try:
            rows = [json.loads(line, object_pairs_hook=list)
                    for line in proc.stdout.splitlines() if line.strip()]
        except ValueError as e:
            return f"output is not JSON lines ({e}): {proc.stdout[:300]!r}"
        header = record.header
        types = header["types"]
        if header["columns"] is not None and rows:
            names = [k for k, _ in rows[0]]
            if names != header["columns"]:
                return f"columns {names}, expected {header['columns']}"
        actual = [[v for _, v in row] for row in rows]
        expected = [line.split("\t") for line in record.expected]
        ordered = header["sort"] == "nosort" or (
            header["sort"] is None and has_top_level_order_by(record.body))
        if not ordered:
            actual.sort(key=lambda r: sort_key(types, [render(v) for v in r]))
            expected.sort(key=lambda r: sort_key(types, r))
        shown = "\n".join("\t".join(render(v) for v in r) for r in actual[:50])
        if len(actual) != len(expected):
            return f"{len(actual)} rows, expected {len(expected)}; got:\n{shown}"
        for n, (a, e) in enumerate(zip(actual, expected)):
            if len(a) != len(e):
                return f"row {n + 1} has {len(a)} values, expected {len(e)}; got:\n{shown}"
            for c, (av, ev) in enumerate(zip(a, e)):
                why = check_value(types[c] if types else "", av, ev)
                if why:
                    return (f"row {n + 1} column {c + 1}: {why}: got {render(av)!r}, expected "
                            f"{ev!r}; all rows:\n{shown}")
        return None

    def run(self, records):
        failures = []
        for record in records:
            try:
                if record.kind == "file":
                    why = self.write_file(record)
                elif record.kind == "statement":
                    why = self.statement(record)
                else:
                    why = self.query(record)
            except subprocess.TimeoutExpired:
                why = f"no answer within {QUERY_TIMEOUT} s"
            if why:
                sql = record.body if isinstance(record.body, str) else record.header
                failures.append(f"{self.name}:{record.line}: {why}\n  SQL: {sql}")
        return failures


def test_files(args):
    return args if args else sorted(glob.glob(os.path.join(SQL_DIR, "*.test")))


def make_test(path):
    def test(self):
        records = parse(path)
        with tempfile.TemporaryDirectory(prefix="tarn-sqllogic-") as lake:
            failures = LakeSession(lake, os.path.basename(path)).run(records)
        if failures:
            self.fail(f"{len(failures)} of {len(records)} records failed:\n\n" +
                      "\n\n".join(failures[:40]))
    return test


class SqlLogicTest(unittest.TestCase):
    def test_every_file_parses(self):
        files = test_files([])
        self.assertGreaterEqual(len(files), 15, "tests/sql/*.test missing")
        for path in files:
            parse(path)

    def test_order_by_detection(self):
        self.assertTrue(has_top_level_order_by("SELECT a FROM t ORDER BY 1"))
        self.assertFalse(has_top_level_order_by("SELECT * FROM (SELECT a FROM t ORDER BY a)"))
        self.assertFalse(has_top_level_order_by("SELECT 'order by' FROM t"))
        self.assertFalse(has_top_level_order_by("SELECT a AS border_by FROM t"))


SCANNED = re.compile(r"Data scanned:\s*([\d.,]+)\s*([KMGT]i?B|B|bytes)", re.I)
SCALE = {"B": 1, "BYTES": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12, "KIB": 2**10,
         "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}


class QueryCliTest(unittest.TestCase):
    """The parts of `tarn query`'s contract that records cannot express: output formats, the
    statistics line, exit codes, and that pruning shows in the bytes scanned."""

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="tarn-sqlcli-")
        self.lake = self._tmp.name
        self.session = LakeSession(self.lake, "cli")
        self.setup_tables()

    def tearDown(self):
        self._tmp.cleanup()

    def setup_tables(self):
        for table, serde in (("j", "ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'"),
                             ("p", "ROW FORMAT SERDE 'org.apache.hadoop.hive.ql.io.parquet."
                                   "serde.ParquetHiveSerDe' STORED AS INPUTFORMAT 'org.apache."
                                   "hadoop.hive.ql.io.parquet.MapredParquetInputFormat' "
                                   "OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet."
                                   "MapredParquetOutputFormat'")):
            proc = self.session.tarn(f"CREATE EXTERNAL TABLE {table} (a bigint, s string) "
                                     f"PARTITIONED BY (k string) {serde} "
                                     f"LOCATION 's3://b/{table}/'")
            self.assertEqual(proc.returncode, 0, proc.stderr)
            for k in ("x", "y"):
                # Hex digests: text that compresses little, so columns differ clearly in size.
                lines = [json.dumps({"a": i, "s": "".join(
                    hashlib.md5(f"{k}{i}.{j}".encode()).hexdigest() for j in range(4))})
                    for i in range(3000)]
                ext = "json.gz" if table == "j" else "parquet"
                header = f"b/{table}/k={k}/part-0.{ext}" + (" a bigint, s string"
                                                             if table == "p" else "")
                self.assertIsNone(self.session.write_file(Record("file", 0, header, lines)))
            self.assertEqual(self.session.tarn(f"MSCK REPAIR TABLE {table}").returncode, 0)

    def scanned(self, sql):
        proc = self.session.tarn(sql)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        m = SCANNED.search(proc.stderr)
        self.assertIsNotNone(m, f"no 'Data scanned' on standard error: {proc.stderr!r}")
        exact = re.search(r"([\d,]+)\s*bytes", proc.stderr)
        if exact:
            return float(exact.group(1).replace(",", ""))
        return float(m.group(1).replace(",", "")) * SCALE[m.group(2).upper()]

    def test_statistics_line_after_a_query(self):
        proc = self.session.tarn("SELECT count(*) FROM j")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        for part in ("Run time", "Data scanned", "Rows", "Cost"):
            self.assertIn(part, proc.stderr)

    def test_formats(self):
        sql = "SELECT 1 AS a, NULL AS b, 'x y' AS c, 2.5e0 AS d"
        tsv = self.session.tarn(sql, "--format", "tsv")
        self.assertEqual(tsv.returncode, 0, tsv.stderr)
        self.assertEqual(tsv.stdout.splitlines()[-1], "1\tNULL\tx y\t2.5")
        out = self.session.tarn(sql, "--format", "json")
        self.assertEqual(json.loads(out.stdout), {"a": 1, "b": None, "c": "x y", "d": 2.5})
        csv = self.session.tarn(sql, "--format", "csv")
        self.assertEqual(csv.returncode, 0, csv.stderr)
        self.assertIn("x y", csv.stdout)
        table = self.session.tarn(sql, "--format", "table")
        self.assertEqual(table.returncode, 0, table.stderr)
        self.assertIn("x y", table.stdout)

    def test_bad_flag_exits_2_and_query_errors_exit_1(self):
        self.assertEqual(self.session.tarn("SELECT 1", "--format", "nope").returncode, 2)
        proc = self.session.tarn("SELECT missing FROM j")
        self.assertEqual(proc.returncode, 1)
        self.assertEqual(len(proc.stderr.strip().splitlines()), 1, proc.stderr)

    def test_memory_limit_fails_the_query_clearly(self):
        # 6,000 distinct 128-character strings held by a DISTINCT and a sort pass 1 MiB.
        sql = "SELECT DISTINCT s FROM j ORDER BY s"
        ok = self.session.tarn(sql, "--format", "csv")
        self.assertEqual(ok.returncode, 0, ok.stderr)
        self.assertEqual(len(ok.stdout.splitlines()), 6001)
        proc = self.session.tarn(sql, "--memory-limit-gib", "0.0005")
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertIn("exceeded memory limit", proc.stderr.lower())
        self.assertEqual(proc.stderr.count("\n"), 1, proc.stderr)

    def test_partition_pruning_reads_less(self):
        for table in ("j", "p"):
            everything = self.scanned(f"SELECT count(s) FROM {table}")
            one = self.scanned(f"SELECT count(s) FROM {table} WHERE k = 'x'")
            through_cte = self.scanned(f"WITH c AS (SELECT * FROM {table}) "
                                       f"SELECT count(s) FROM c WHERE k = 'x'")
            self.assertGreater(everything, 0)
            self.assertLess(one, everything * 0.6, table)
            self.assertLess(through_cte, everything * 0.6, table)
            self.assertEqual(self.scanned(f"SELECT count(*) FROM {table} WHERE k = 'none'"), 0)

    def test_parquet_reads_only_needed_columns(self):
        both = self.scanned("SELECT count(a), count(s) FROM p")
        small = self.scanned("SELECT sum(a) FROM p")
        self.assertLess(small, both * 0.5)


def main():
    global TARN
    if len(sys.argv) >= 2 and sys.argv[1] == "--parse-only":
        total = {"statement": 0, "query": 0, "file": 0}
        for path in test_files(sys.argv[2:]):
            records = parse(path)
            for r in records:
                total[r.kind] += 1
            print(f"{os.path.basename(path)}: {len(records)} records")
        print(f"total: {total['query']} queries, {total['statement']} statements, "
              f"{total['file']} files")
        return
    if len(sys.argv) < 2:
        sys.exit("usage: sql_logic_test.py PATH_TO_TARN [FILE.test ...] [unittest args]")
    TARN = os.path.abspath(sys.argv.pop(1))
    chosen = []
    while len(sys.argv) > 1 and sys.argv[1].endswith(".test"):
        chosen.append(os.path.abspath(sys.argv.pop(1)))
    for path in test_files(chosen):
        stem = os.path.splitext(os.path.basename(path))[0]
        setattr(SqlLogicTest, f"test_{stem}", make_test(path))
    unittest.main(verbosity=2)


if __name__ == "__main__":
    main()
