// DuckDB as the independent side of tarn's Parquet tests: it reads what tarn writes and writes
// what tarn reads. Used only by tests and benchmarks.
//
//   node duckdb_peer.mjs read FILE.parquet          rows as JSON lines (BLOBs as base64)
//   node duckdb_peer.mjs write FILE.parquet CODEC VERSION ROWS
//                                                   a file of many types, CODEC uncompressed|
//                                                   snappy|gzip|zstd, VERSION v1|v2
//   node duckdb_peer.mjs sql "SQL"                  rows of any query as JSON lines
import { DuckDBInstance } from '@duckdb/node-api';

const [command, ...args] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:');
const connection = await db.connect();

function quote(text) {
  return "'" + text.replaceAll("'", "''") + "'";
}

async function printRows(sql) {
  const reader = await connection.runAndReadAll(sql);
  const lines = reader.getRowObjectsJson().map((row) => JSON.stringify(row));
  process.stdout.write(lines.length ? lines.join('\n') + '\n' : '');
}

if (command === 'read') {
  const file = quote(args[0]);
  const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${file})`);
  const columns = described.getRowObjects().map((c) => {
    const name = '"' + String(c.column_name).replaceAll('"', '""') + '"';
    return c.column_type === 'BLOB' ? `to_base64(${name}) AS ${name}` : name;
  });
  await printRows(`SELECT ${columns.join(', ')} FROM read_parquet(${file})`);
} else if (command === 'write') {
  const [file, codec, version, rows] = args;
  const n = Number(rows);
  const sql = `
    SELECT
      CASE WHEN i % 11 = 0 THEN NULL ELSE (i % 2 = 0) END AS b,
      CASE WHEN i % 13 = 0 THEN NULL ELSE (i % 120)::TINYINT END AS t,
      (i * 7 % 30000)::SMALLINT AS s,
      CASE WHEN i % 5 = 0 THEN NULL ELSE (i * 2654435761 % 2147483647)::INTEGER END AS i,
      (i * 1000003 - 500000000)::BIGINT AS l,
      CASE WHEN i % 17 = 0 THEN NULL ELSE (i / 7.0)::FLOAT END AS f,
      (i * 3.25 - 1000.5)::DOUBLE AS d,
      ((i % 100000) / 100.0)::DECIMAL(9,2) AS m,
      ((i - 5000) / 10000.0)::DECIMAL(18,4) AS n,
      ((i - 5000)::HUGEINT * 1234567890123456789::HUGEINT / 1000)::DECIMAL(38,3) AS w,
      CASE WHEN i % 3 = 0 THEN NULL ELSE 'value ' || (i % 997) || ' żółw' END AS v,
      md5(i::VARCHAR) AS md5,
      DATE '2020-01-01' + (i % 2000)::INTEGER AS dt,
      TIMESTAMP '2020-01-01 00:00:00' + to_microseconds(i * 1234567) AS ts,
      CASE WHEN i % 4 = 0 THEN NULL ELSE [i, i + 1, NULL] END AS a,
      {'x': i, 'y': 'y' || i} AS st
    FROM range(${n}) AS r(i)`;
  const options = [`FORMAT parquet`, `COMPRESSION ${codec}`, `ROW_GROUP_SIZE 5000`];
  if (version === 'v2') options.push(`PARQUET_VERSION V2`);
  await connection.run(`COPY (${sql}) TO ${quote(file)} (${options.join(', ')})`);
} else if (command === 'sql') {
  await printRows(args[0]);
} else {
  console.error('usage: duckdb_peer.mjs read FILE | write FILE CODEC VERSION ROWS | sql SQL');
  process.exit(2);
}
