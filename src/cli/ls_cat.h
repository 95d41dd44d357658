// `tarn ls` and `tarn cat` as functions, for the commands (ls_cat.cc) and for `tarn demo`, which
// shows the same listings and object. The lake maps s3://BUCKET/KEY to LAKE/BUCKET/KEY
// (storage/object_store.h); LAKE/_tarn holds tarn's own state and is no bucket. The functions
// keep no state; thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace tarn::cli {


struct LsOptions {
  bool recursive = false;
  bool human_readable = false;
  bool summarize = false;
};

struct LsListing {
  std::vector<std::string> lines;  // Each without its newline, summary lines included.
  std::vector<std::string> keys;   // The listed objects' keys, in listing order.
  uint64_t objects = 0;
  uint64_t bytes = 0;
  bool matched = false;  // Anything (object or common prefix) was listed.
};

// Lists `uri` ("s3://", "s3://BUCKET", "s3://BUCKET/PREFIX") in the lake folder `lake`.
// kInvalidArgument for a path that is not s3://…, kNotFound for a bucket that is not there.
Result<LsListing> ListLakeObjects(const std::string& lake, const std::string& uri,
                                  const LsOptions& options);

// awscli's human_readable_size (see the header comment).
std::string AwsHumanSize(uint64_t bytes);

struct CatRequest {
  std::string lake = "lake";
  std::string uri;              // s3://BUCKET/KEY
  std::string master_key_file;  // For encrypted objects; see storage::KeyringOptionsFrom.
};

// Streams the object's bytes, decrypted and decompressed, to `sink` in pieces; `sink` returns
// false to stop early (not an error). Parquet objects are refused (kInvalidArgument with a hint
// to use `tarn query`); a missing object is kNotFound; a bad path kInvalidArgument.
Status CatLakeObject(const CatRequest& request, const std::function<bool(std::string_view)>& sink);

}  // namespace tarn::cli
