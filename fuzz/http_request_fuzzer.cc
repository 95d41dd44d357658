// libFuzzer target: any bytes as what one client sends on a connection, parsed by
// ParseHttpRequests (ingest/http_server.h): the server's own Beast parser settings and its
// conversion to HttpRequest, once with the server's default limits and once with small ones so
// that the 413/431 paths are reached often. Must never crash, hang or leak, and every result
// must keep the limits: no body over the body limit, names lower-cased, only the statuses the
// server answers.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ingest/http_server.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

void ParseWith(std::string_view bytes, const tarn::ingest::HttpServerOptions& options) {
  const tarn::ingest::HttpParseResult result = tarn::ingest::ParseHttpRequests(bytes, options);
  for (const tarn::ingest::HttpRequest& request : result.requests) {
    Check(request.body.size() <= options.max_body_bytes);
    for (const auto& [name, value] : request.headers) {
      for (char c : name) Check(c < 'A' || c > 'Z');
    }
  }
  if (result.refused) {
    Check(result.error_status == 0 || result.error_status == 400 || result.error_status == 413 ||
          result.error_status == 431);
    Check(!result.incomplete);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  ParseWith(bytes, tarn::ingest::HttpServerOptions{});
  tarn::ingest::HttpServerOptions small;
  small.max_header_bytes = 256;
  small.max_body_bytes = 64;
  ParseWith(bytes, small);
  return 0;
}
