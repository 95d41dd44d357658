// Base64 (RFC 4648, standard alphabet, with padding): blobs in the Firehose JSON API and
// binary values in JSON output. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace tarn {

void AppendBase64(std::string_view data, std::string* out);

// Decodes strict base64: length a multiple of 4, '=' only as one or two final characters, no
// whitespace. kInvalidArgument says what was wrong and at which character.
Result<std::string> DecodeBase64(std::string_view text);

}  // namespace tarn
