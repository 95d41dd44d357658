// DuckDB's side of bench/formats.py: runs one statement and prints its rows (JSON) and the time
// it took inside the process (seconds), excluding Node.js start-up and DuckDB's own.
//
//   node duckdb_bench.mjs "SQL"
import { DuckDBInstance } from '@duckdb/node-api';

const db = await DuckDBInstance.create(':memory:');
const connection = await db.connect();
const start = performance.now();
const reader = await connection.runAndReadAll(process.argv[2]);
const seconds = (performance.now() - start) / 1000;
console.log(JSON.stringify(reader.getRowObjectsJson()));
console.log(`seconds ${seconds.toFixed(4)}`);
