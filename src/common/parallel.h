// ParallelFor: runs independent pieces of work on several cores and waits for all of them.
#pragma once

#include <cstddef>
#include <functional>

namespace tarn {

// The number of threads worth using for CPU-bound work on this machine (at least 1).
size_t HardwareThreads();

// Calls fn(i) for every i in [0, n) on up to `threads` threads, the caller's included, taking
// indices in order from a shared counter; returns when every call has returned. `fn` must be
// safe to call concurrently for different indices.
void ParallelFor(size_t n, size_t threads, const std::function<void(size_t)>& fn);

}  // namespace tarn
