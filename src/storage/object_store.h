// ObjectStore: where delivered objects go. Keys are S3 keys inside a bucket; an object is
// written whole and atomically (it is either absent or complete under its final key) and is
// durable when Put returns. The local store maps s3://BUCKET/KEY to LAKE/BUCKET/KEY
// (../shared/DESIGN.md, "The lake on disk"). Implementations are thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"

namespace tarn::storage {

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;
  // Writes `bytes` under bucket/key atomically and durably, replacing nothing: a key that
  // exists is kAlreadyExists.
  virtual Status Put(const std::string& bucket, const std::string& key, std::string_view bytes) = 0;
  virtual Result<bool> Exists(const std::string& bucket, const std::string& key) = 0;
  virtual Result<std::string> Get(const std::string& bucket, const std::string& key) = 0;
};

// The embedded default: a lake folder. Temporary files live in LAKE/_tarn/tmp/ (same file
// system, so the final rename is atomic) and are removed by the constructor's clean-up of
// what a crash left behind.
class LocalObjectStore : public ObjectStore {
 public:
  // Creates LAKE/_tarn/tmp/ and empties it.
  static Result<std::unique_ptr<LocalObjectStore>> Open(const std::string& lake_root);

  Status Put(const std::string& bucket, const std::string& key, std::string_view bytes) override;
  Result<bool> Exists(const std::string& bucket, const std::string& key) override;
  Result<std::string> Get(const std::string& bucket, const std::string& key) override;

  std::string PathOf(const std::string& bucket, const std::string& key) const;

 private:
  explicit LocalObjectStore(std::string root) : root_(std::move(root)) {}
  std::string root_;
  std::atomic<uint64_t> next_temp_{0};
};

// For fault-injection tests: wraps a store and fails every `every`-th Put (1-based) with
// kUnavailable before writing anything; with `fail_all` set, fails every Put (a full disk).
class FaultInjectingStore : public ObjectStore {
 public:
  FaultInjectingStore(ObjectStore* inner, uint64_t every) : inner_(inner), every_(every) {}
  Status Put(const std::string& bucket, const std::string& key, std::string_view bytes) override;
  Result<bool> Exists(const std::string& bucket, const std::string& key) override {
    return inner_->Exists(bucket, key);
  }
  Result<std::string> Get(const std::string& bucket, const std::string& key) override {
    return inner_->Get(bucket, key);
  }
  void set_fail_all(bool fail_all) { fail_all_ = fail_all; }
  uint64_t failures() const { return failures_; }

 private:
  ObjectStore* inner_;
  uint64_t every_;
  std::atomic<uint64_t> puts_{0};
  std::atomic<uint64_t> failures_{0};
  std::atomic<bool> fail_all_{false};
};

// True for a key that is safe to map onto a file path: not empty, no NUL, no empty, "." or
// ".." segment, not starting with '/'.
bool IsSafeKey(std::string_view key);

}  // namespace tarn::storage
