// libFuzzer target: the SigV4 parser and verifier with hostile input. Input: the Authorization
// header on the first line, the x-amz-date value on the second, the request target on the
// third, the body after it. The verifier must never crash, and a request signed by SignSigV4
// (whatever its target, date and body) must verify at its own date; a violation traps.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ingest/sigv4.h"

namespace {

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

std::string_view NextLine(std::string_view* input) {
  const size_t end = std::min(input->find('\n'), input->size());
  const std::string_view line = input->substr(0, end);
  input->remove_prefix(std::min(end + 1, input->size()));
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tarn::ingest;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string_view authorization = NextLine(&input);
  const std::string_view date = NextLine(&input);
  const std::string_view target = NextLine(&input);

  HttpRequest request;
  request.method = "POST";
  request.target = std::string(target);
  request.headers = {{"host", "127.0.0.1:4573"},
                     {"x-amz-date", std::string(date)},
                     {"x-amz-target", "Firehose_20150804.PutRecordBatch"},
                     {"authorization", std::string(authorization)}};
  request.body = std::string(input);
  const int64_t now = ParseAmzDate(date).value_or(1767323045);

  SigV4Authorization auth;
  if (!ParseAuthorization(authorization, &auth).has_value()) {
    Check(auth.signature.size() == 64);
    (void)VerifySigV4(request, auth, "secret", now);
  }

  // Round trip: what SignSigV4 signs verifies.
  request.headers.resize(3);
  request.headers[1].second.clear();
  SignSigV4({"TKIAAAAAAAAAAAAAAAAA", "secret"}, now, &request);
  SigV4Authorization signed_auth;
  Check(!ParseAuthorization(request.Header("authorization"), &signed_auth).has_value());
  Check(!VerifySigV4(request, signed_auth, "secret", now).has_value());
  return 0;
}
