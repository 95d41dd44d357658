-- The seed article's Glue tables as Athena DDL, over the lake that examples/seed/events_json.json
-- and events_parquet.json deliver into (bucket tarn-demo). Run the whole file with
--   tarn catalog --lake LAKE import examples/seed/tables.sql
-- The database is the one the article's queries name (kozlovski.events_json).

CREATE DATABASE IF NOT EXISTS kozlovski;

CREATE EXTERNAL TABLE IF NOT EXISTS kozlovski.events_json (
  tstamp timestamp,
  payload string,
  payload_md5 string
)
PARTITIONED BY (name string, d string)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://tarn-demo/events_raw/json/'
TBLPROPERTIES ('EXTERNAL'='true', 'classification'='json');

CREATE EXTERNAL TABLE IF NOT EXISTS kozlovski.events_parquet (
  tstamp timestamp,
  payload string,
  payload_md5 string
)
PARTITIONED BY (name string, d string)
ROW FORMAT SERDE 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'
WITH SERDEPROPERTIES ('serialization.format' = '1')
STORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat'
LOCATION 's3://tarn-demo/events_raw/parquet/'
TBLPROPERTIES ('EXTERNAL'='TRUE', 'classification'='parquet');
