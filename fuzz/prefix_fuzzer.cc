// libFuzzer target: the prefix evaluator with a hostile template and hostile partition key
// values. Input: the template on the first line, then `key=value` lines (values may hold any
// byte but a newline). Whatever compiles and evaluates must be a safe lake key: no empty, "."
// or ".." folder, no leading '/', no NUL, no folder name over 255 bytes, at most 512 bytes in
// all — for every template that stream creation accepts (its evaluation with plain values is
// safe). A violation traps, so the fuzzer reports it.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "delivery/prefix.h"
#include "storage/object_store.h"

namespace {

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using tarn::delivery::PrefixKind;
  using tarn::delivery::PrefixTemplate;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t end_of_template = std::min(input.find('\n'), input.size());
  const std::string_view text = input.substr(0, end_of_template);
  std::map<std::string, std::string> keys;
  for (size_t pos = end_of_template + 1; pos < input.size();) {
    const size_t end = std::min(input.find('\n', pos), input.size());
    const std::string_view line = input.substr(pos, end - pos);
    const size_t eq = line.find('=');
    if (eq != std::string_view::npos) keys[std::string(line.substr(0, eq))] = line.substr(eq + 1);
    pos = end + 1;
  }
  for (PrefixKind kind : {PrefixKind::kPrefix, PrefixKind::kErrorOutputPrefix}) {
    auto compiled = PrefixTemplate::Compile(text, kind);
    if (!compiled.ok()) continue;
    tarn::Random random(size);
    PrefixTemplate::Context context;
    context.time_micros = static_cast<int64_t>(size) * 86'400'000'000LL;
    context.error_output_type = "partitioning-failed";
    context.partition_keys = &keys;
    context.random = &random;
    // Stream creation refuses templates whose plain evaluation is unsafe (stream_settings.cc).
    std::map<std::string, std::string> plain;
    for (const std::string& key : compiled->partition_keys()) plain[key] = "v";
    PrefixTemplate::Context sample = context;
    sample.partition_keys = &plain;
    auto benign = compiled->Evaluate(sample);
    if (!benign.ok() || (!benign->empty() && !tarn::storage::IsSafeKey(*benign + "object"))) {
      continue;
    }
    auto prefix = compiled->Evaluate(context);
    if (!prefix.ok()) continue;
    Check(prefix->size() <= tarn::delivery::kMaxEvaluatedPrefix);
    // The delivery stream appends the object's name; the whole key must map onto the lake.
    Check(prefix->empty() || tarn::storage::IsSafeKey(*prefix + "object"));
    for (size_t begin = 0; begin < prefix->size();) {
      const size_t slash = std::min(prefix->find('/', begin), prefix->size());
      Check(slash - begin <= tarn::delivery::kMaxPathSegment);
      begin = slash + 1;
    }
  }
  return 0;
}
