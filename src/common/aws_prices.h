// AWS's unit prices, as one documented table: what the demo's monthly estimate (cli/cost.h)
// and every query's cost line (sql/engine.h) charge.
//
// Prices are AWS's us-east-1 list prices in US dollars, as recorded in
// ../shared/reference/firehose-s3.md, section 5 "Pricing facts" (pages: "Amazon Data Firehose
// pricing", https://aws.amazon.com/kinesis/data-firehose/pricing/; "Amazon S3 pricing";
// secondary sources for some figures, as that file marks) and
// ../shared/reference/athena-glue.md, "Cost model" ("Amazon Athena pricing", "AWS Glue
// pricing"), read 2026-11-26. Units follow AWS's billing: a GB is 2^30 bytes (Firehose's pricing
// example divides KB by 1,048,576), Firehose rounds each record up to a multiple of 5 KB (5,120
// bytes), Athena rounds each query up to the MB (2^20 bytes) with a 10 MB minimum.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>

namespace tarn {

struct AwsUnitPrices {
  // Amazon Data Firehose, Direct PUT, first 500 TB a month.
  double firehose_ingestion_per_gb = 0.029;
  uint64_t firehose_record_rounding_bytes = 5 * 1024;  // Each record billed in 5 KB steps.
  double firehose_conversion_per_gb = 0.018;           // Record format conversion (5 KB steps too).
  double firehose_partitioning_per_gb = 0.020;         // Dynamic partitioning, per GB delivered.
  double firehose_partitioning_per_1000_objects = 0.005;
  // Amazon S3 Standard, first 50 TB.
  double s3_storage_per_gb_month = 0.023;
  double s3_put_per_1000 = 0.005;
  // AWS Glue Data Catalog: the first million objects stored and requests a month are free.
  uint64_t glue_free_objects = 1'000'000;
  double glue_per_100000_objects = 1.0;
  uint64_t glue_free_requests = 1'000'000;
  double glue_per_million_requests = 1.0;
  // Amazon Athena SQL queries.
  double athena_per_tb = 5.0;
  uint64_t athena_minimum_bytes = 10ULL << 20;  // 10 MB a query.
};

// The one table of prices the estimate uses.
inline constexpr AwsUnitPrices kUsEast1Prices{};

// Athena's charge for one query that scanned `bytes_scanned`: rounded up to the MB, at least
// the minimum.
double AthenaQueryDollars(uint64_t bytes_scanned, const AwsUnitPrices& prices = kUsEast1Prices);

}  // namespace tarn
