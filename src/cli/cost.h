// What the seed's pipeline would cost on AWS: the unit prices, as one documented table, and the
// seed article's monthly estimate ("Cost estimation": Firehose, S3, Glue, Athena at 100 full-scan
// queries a day) computed from volumes measured on this machine. docs/demo.md compares the
// result with the article's own table.
//
// The unit prices are common/aws_prices.h's table; a month has 30 days (Firehose's pricing
// example).
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/aws_prices.h"

namespace tarn::cli {

using ::tarn::AwsUnitPrices;
using ::tarn::kUsEast1Prices;
using ::tarn::AthenaQueryDollars;

// One delivery stream's month.
struct StreamVolume {
  std::string name;
  uint64_t records = 0;
  uint64_t billed_bytes = 0;     // Σ records rounded up to 5 KB (FirehoseBilledBytes).
  uint64_t delivered_bytes = 0;  // Bytes of the objects written to S3.
  uint64_t objects = 0;          // Objects written to S3.
  bool dynamic_partitioning = false;
  bool format_conversion = false;
};

struct MonthlyVolumes {
  std::vector<StreamVolume> streams;
  uint64_t stored_bytes = 0;     // In S3 at the end of the month.
  uint64_t glue_objects = 0;     // Databases, tables and partitions.
  uint64_t full_scan_bytes = 0;  // What one full-scan query reads (the table's objects).
  std::string scanned_table;     // For the table's "Input" column.
  double queries_per_day = 100;
  double days_per_month = 30;
};

struct CostLine {
  std::string service;  // "Kinesis Data Firehose"
  std::string input;    // "700k events (5 KB billed each)"
  double dollars = 0;
};

struct CostEstimate {
  std::vector<CostLine> lines;  // Firehose ingestion, partitioning, conversion, S3, Glue, Athena.
  double total = 0;
};

// The bytes Firehose bills for one record of `record_bytes`: rounded up to 5 KB (an empty
// record still counts as one step).
uint64_t FirehoseBilledBytes(uint64_t record_bytes, const AwsUnitPrices& prices = kUsEast1Prices);

// The monthly estimate, one line per billed item, in the article's order.
CostEstimate EstimateMonthlyCost(const MonthlyVolumes& volumes,
                                 const AwsUnitPrices& prices = kUsEast1Prices);

// The estimate as a Markdown table like the article's (| Service | Input (monthly) | Cost |),
// each line indented by `indent`, with the total last.
std::string FormatCostTable(const CostEstimate& estimate, const std::string& indent = "");

}  // namespace tarn::cli
