#pragma once
// parallel_for: runs a job over the indexes 0..COUNT-1 on a few threads, for
// the short CPU-bound phases between reads (cataloging, SBOM assembly) that
// would otherwise leave the other cores idle.

#include <cstddef>
#include <functional>

namespace airlock {

// Calls JOB(index, worker) once for every index below COUNT, on at most
// THREADS threads (the caller's own included); WORKER (0..THREADS-1) names the
// thread, so a job can keep per-thread state in a slot of its own. Indexes are
// handed out one at a time, in order, so uneven jobs still balance; a job
// should be worth far more than an atomic increment. Returns when every call
// has returned; JOB must not throw.
void parallel_for(std::size_t count, unsigned threads, const std::function<void(std::size_t, unsigned)>& job);

}  // namespace airlock
