#include "analyze/image_walk.hpp"

#include <atomic>
#include <mutex>
#include <optional>
#include <thread>

namespace airlock {

namespace {

// Serialises progress reports from the worker threads.
class LockedProgress final : public Progress {
 public:
  explicit LockedProgress(Progress& inner) : m_inner(inner) {}
  void begin(std::string_view task, std::uint64_t total) override {
    std::lock_guard lock(m_mutex);
    m_inner.begin(task, total);
  }
  void advance(std::uint64_t amount) override {
    std::lock_guard lock(m_mutex);
    m_inner.advance(amount);
  }
  void end() override {
    std::lock_guard lock(m_mutex);
    m_inner.end();
  }

 private:
  Progress& m_inner;
  std::mutex m_mutex;
};

}  // namespace

Result<ImageWalk> walk_image(ImageSource& image, const ImageWalkOptions& options) {
  NullProgress no_progress;
  LockedProgress progress(options.progress != nullptr ? *options.progress : no_progress);
  if (image.single_pass()) {
    progress.begin("reading image", image.total_blob_bytes());
    auto layers = image.walk_all(options.visitor_for_layer, progress);
    progress.end();
    if (!layers) return layers.error();
    ImageWalk walk;
    walk.layers = std::move(*layers);
    walk.squashed = FileIndex::squash(walk.layers);
    return walk;
  }
  const std::size_t count = image.layer_count();
  progress.begin("reading layers", image.total_blob_bytes());

  std::vector<std::optional<Result<LayerIndex>>> results(count);
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  // The squash follows the walk: a layer is applied as soon as it and every
  // layer below it are known, by a worker that is free, so that applying a
  // large cached base layer overlaps with reading the layers above it.
  FileIndex squashed;
  std::size_t squashed_count = 0;  // guarded by squash_mutex
  std::mutex squash_mutex;
  std::vector<std::atomic<bool>> ready(count);
  auto advance_squash = [&] {
    std::unique_lock lock(squash_mutex, std::try_to_lock);
    if (!lock.owns_lock()) return;  // another worker is at it; what both miss is applied after the walk
    while (squashed_count < count && ready[squashed_count].load(std::memory_order_acquire)) {
      squashed.apply(**results[squashed_count]);
      ++squashed_count;
    }
  };
  auto worker = [&] {
    for (;;) {
      const std::size_t i = next.fetch_add(1);
      if (i >= count || failed.load()) return;
      if (options.known_layer) {
        if (auto known = options.known_layer(i)) {
          // A known layer counts as read.
          if (i < image.metadata().layers.size()) progress.advance(image.metadata().layers[i].blob.size);
          results[i] = std::move(*known);
          ready[i].store(true, std::memory_order_release);
          advance_squash();
          continue;
        }
      }
      std::unique_ptr<LayerVisitor> visitor;
      if (options.visitor_for_layer) visitor = options.visitor_for_layer(i);
      results[i] = image.walk(i, visitor.get(), progress);
      if (!results[i]->ok()) {
        failed.store(true);
        continue;
      }
      ready[i].store(true, std::memory_order_release);
      advance_squash();
    }
  };
  const unsigned threads =
      static_cast<unsigned>(std::max<std::size_t>(1, std::min<std::size_t>(options.threads, count)));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& thread : pool) thread.join();
  progress.end();

  ImageWalk walk;
  for (auto& r : results) {
    if (r && !r->ok()) return r->error();
  }
  for (; squashed_count < count; ++squashed_count) squashed.apply(**results[squashed_count]);
  squashed.number_paths();
  for (auto& r : results) walk.layers.push_back(std::move(**r));
  walk.squashed = std::move(squashed);
  return walk;
}

}  // namespace airlock
