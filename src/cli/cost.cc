#include "cli/cost.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "common/human_units.h"

namespace tarn::cli {
namespace {

constexpr double kGb = 1024.0 * 1024.0 * 1024.0;

std::string Gb(double bytes) {
  return fmt::format("{:.{}f} GB", bytes / kGb, bytes / kGb < 0.1 ? 3 : 2);
}

}  // namespace

uint64_t FirehoseBilledBytes(uint64_t record_bytes, const AwsUnitPrices& prices) {
  const uint64_t step = prices.firehose_record_rounding_bytes;
  return std::max<uint64_t>(1, (record_bytes + step - 1) / step) * step;
}


CostEstimate EstimateMonthlyCost(const MonthlyVolumes& v, const AwsUnitPrices& p) {
  CostEstimate estimate;
  uint64_t records = 0, billed = 0, partitioned_bytes = 0, partitioned_objects = 0;
  uint64_t converted = 0, objects = 0;
  for (const StreamVolume& s : v.streams) {
    records += s.records;
    billed += s.billed_bytes;
    objects += s.objects;
    if (s.dynamic_partitioning) {
      partitioned_bytes += s.delivered_bytes;
      partitioned_objects += s.objects;
    }
    if (s.format_conversion) converted += s.billed_bytes;
  }
  const double average = records ? static_cast<double>(billed) / records / 1024.0 : 0;
  estimate.lines.push_back(
      {"Kinesis Data Firehose",
       fmt::format("{} records x {} stream{} ({:.0f} KB billed each)",
                   HumanCount(v.streams.empty() ? 0 : records / v.streams.size()), v.streams.size(),
                   v.streams.size() == 1 ? "" : "s", average),
       billed / kGb * p.firehose_ingestion_per_gb});
  estimate.lines.push_back(
      {"  dynamic partitioning",
       fmt::format("{} delivered, {} objects", Gb(partitioned_bytes), partitioned_objects),
       partitioned_bytes / kGb * p.firehose_partitioning_per_gb +
           partitioned_objects / 1000.0 * p.firehose_partitioning_per_1000_objects});
  estimate.lines.push_back({"  format conversion", fmt::format("{} to Parquet", Gb(converted)),
                            converted / kGb * p.firehose_conversion_per_gb});
  estimate.lines.push_back(
      {"S3", fmt::format("{} stored, {} PUTs", Gb(v.stored_bytes), objects),
       v.stored_bytes / kGb * p.s3_storage_per_gb_month + objects / 1000.0 * p.s3_put_per_1000});
  // Each query asks the catalog for its table and partitions; each new partition is one write.
  const double queries = v.queries_per_day * v.days_per_month;
  const double glue_requests = queries * 2 + static_cast<double>(v.glue_objects);
  const double glue_objects_billed =
      std::max(0.0, static_cast<double>(v.glue_objects) - static_cast<double>(p.glue_free_objects));
  const double glue_requests_billed =
      std::max(0.0, glue_requests - static_cast<double>(p.glue_free_requests));
  estimate.lines.push_back(
      {"Glue", fmt::format("{} objects, {} requests", v.glue_objects, HumanCount(glue_requests)),
       glue_objects_billed / 100000.0 * p.glue_per_100000_objects +
           glue_requests_billed / 1e6 * p.glue_per_million_requests});
  estimate.lines.push_back({"Athena",
                            fmt::format("{:.0f} full scans daily of {} ({})", v.queries_per_day,
                                        v.scanned_table, HumanBytes(v.full_scan_bytes)),
                            queries * AthenaQueryDollars(v.full_scan_bytes, p)});
  for (const CostLine& line : estimate.lines) estimate.total += line.dollars;
  return estimate;
}

std::string FormatCostTable(const CostEstimate& estimate, const std::string& indent) {
  size_t service = 7, input = 15;
  for (const CostLine& line : estimate.lines) {
    service = std::max(service, line.service.size());
    input = std::max(input, line.input.size());
  }
  std::string out;
  auto row = [&](std::string_view a, std::string_view b, std::string_view c) {
    out += fmt::format("{}| {:<{}} | {:<{}} | {:>7} |\n", indent, a, service, b, input, c);
  };
  row("Service", "Input (monthly)", "Cost");
  out += fmt::format("{}|{}|{}|{}|\n", indent, std::string(service + 2, '-'),
                     std::string(input + 2, '-'), std::string(9, '-'));
  for (const CostLine& line : estimate.lines) {
    row(line.service, line.input, fmt::format("${:.2f}", line.dollars));
  }
  row("", "total", fmt::format("${:.2f}", estimate.total));
  return out;
}

}  // namespace tarn::cli
