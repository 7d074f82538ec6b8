#include "analyze/sbom.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <unordered_map>

#include "analyze/catalog/cataloger.hpp"
#include "analyze/distro.hpp"
#include "analyze/file_overlap.hpp"
#include "analyze/layer_cache.hpp"
#include "analyze/layer_catalog.hpp"
#include "base/hex.hpp"
#include "base/parallel.hpp"

namespace airlock {

namespace {

// A dir: source has no layers with a diff_id worth caching.
bool sbom_source_is_folder(const ImageSource& image) { return image.metadata().manifest_bytes.empty() && !image.single_pass(); }

// A file found for a package, before it has a place in Sbom::files.
struct FoundFile {
  std::uint64_t key = 0;  // the id's first 8 bytes, for deduplication
  std::string id;
  FileLocation location;
  FileRecord record;
  std::uint64_t order = UINT64_MAX;  // the path's rank in the finished image; UINT64_MAX: not there
  bool may_overlap = false;  // a package was found at this file
};

// Fills SBOM's files (those packages own that exist, and those that are
// evidence) and each package's indexes into them. An image has thousands of
// such files: finding and hashing them runs on THREADS threads, then one pass
// gives each a slot (and tells OVERLAP what each package claims), and a sort
// puts them in syft's order (path, then layer).
//
// LOCATION_RECORDS (all-layers scope) holds the files package locations name
// as their layer wrote them; otherwise the finished image says.
void attach_files(Sbom& sbom, const ContentResolver& files, unsigned threads, FileOverlap& overlap,
                  const std::map<std::pair<std::string, std::string>, FileRecord>& location_records) {
  const std::size_t count = sbom.packages.size();
  std::vector<std::vector<FoundFile>> found_locations(count), found_owned(count);
  struct Worker {
    explicit Worker(const ContentResolver& shared) : resolver(shared) {}
    ContentResolver resolver;  // a copy: each thread has its own directory memo
    Sha256 id_hash;
  };
  const unsigned workers = std::max(1u, threads);
  std::vector<std::unique_ptr<Worker>> state;
  for (unsigned w = 0; w < workers; ++w) state.push_back(std::make_unique<Worker>(files));
  parallel_for(count, workers, [&](std::size_t i, unsigned w) {
    Worker& worker = *state[w];
    // RECORD describes the file; NOW is the path in the finished image, whose
    // rank orders the files.
    auto found = [&](FileLocation location, const FileRecord* record, const FileRecord* now) {
      worker.id_hash.update(location.path);
      worker.id_hash.update(std::string_view("\0", 1));
      worker.id_hash.update(location.layer_id);
      const Sha256Digest digest = worker.id_hash.finish();
      FoundFile f;
      std::memcpy(&f.key, digest.bytes.data(), sizeof f.key);
      f.id = to_hex(std::span(digest.bytes).first(8));
      if (record != nullptr) f.record = *record;
      if (now != nullptr) f.order = now->rank;
      f.location = std::move(location);
      return f;
    };
    const Package& p = sbom.packages[i];
    for (const auto& l : p.locations) {
      const FileRecord* now = files.files().find(l.file.path);
      auto own = location_records.find({l.file.path, l.file.layer_id});
      found_locations[i].push_back(found(l.file, own != location_records.end() ? &own->second : now, now));
    }
    found_owned[i].reserve(p.owned_files.size());
    for (const auto& path : p.owned_files) {
      if (auto file = worker.resolver.locate_file(path)) {
        found_owned[i].push_back(found(std::move(file->location), file->record, file->record));
        found_owned[i].back().may_overlap = overlap.touches(path, found_owned[i].back().location.path);
      }
    }
  });

  std::size_t total = 0;
  for (std::size_t i = 0; i < count; ++i) total += found_locations[i].size() + found_owned[i].size();
  sbom.files.reserve(total);
  std::unordered_map<std::uint64_t, std::uint32_t> slot_of;
  slot_of.reserve(total);
  std::vector<std::uint64_t> order_of;  // per slot
  order_of.reserve(total);
  auto slot_for = [&](FoundFile& f) -> std::uint32_t {
    auto [it, inserted] = slot_of.try_emplace(f.key, static_cast<std::uint32_t>(sbom.files.size()));
    if (inserted) {
      // files[] names a file by its real path: the path it was reached by is
      // not kept (an image has tens of thousands).
      f.location.access_path = std::string();
      sbom.files.push_back(SbomFile{std::move(f.id), std::move(f.location), std::move(f.record)});
      order_of.push_back(f.order);
    }
    return it->second;
  };
  std::vector<std::uint32_t> owner_mark;  // per slot: 1 + the last package that claimed it
  for (std::size_t i = 0; i < count; ++i) {
    Package& p = sbom.packages[i];
    for (auto& f : found_locations[i]) p.location_file_indexes.push_back(slot_for(f));
    for (auto& f : found_owned[i]) {
      if (f.may_overlap) overlap.claim(i, f.location.access_path, f.location.path);
      const std::uint32_t slot = slot_for(f);
      if (owner_mark.size() <= slot) owner_mark.resize(sbom.files.size(), 0);
      if (owner_mark[slot] == i + 1) continue;  // listed twice by one package
      owner_mark[slot] = static_cast<std::uint32_t>(i + 1);
      p.owned_file_indexes.push_back(slot);
    }
    // What is merged is given back at once, so the peak stays near one copy.
    found_locations[i] = {};
    found_owned[i] = {};
  }

  std::vector<std::uint32_t> order(sbom.files.size());
  for (std::uint32_t k = 0; k < order.size(); ++k) order[k] = k;
  // By path, then layer. Ranks in the finished image are in path order, so
  // two paths it holds compare by rank; any other pair compares its paths.
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    const FileLocation& la = sbom.files[a].location;
    const FileLocation& lb = sbom.files[b].location;
    if (order_of[a] != UINT64_MAX && order_of[b] != UINT64_MAX && order_of[a] != order_of[b]) {
      return order_of[a] < order_of[b];
    }
    return std::tie(la.path, la.layer_id) < std::tie(lb.path, lb.layer_id);
  });
  std::vector<std::uint32_t> rank(order.size());
  for (std::uint32_t k = 0; k < order.size(); ++k) rank[order[k]] = k;
  // Permuted in place, cycle by cycle: no second copy of the files.
  for (std::uint32_t k = 0; k < rank.size(); ++k) {
    while (rank[k] != k) {
      const std::uint32_t to = rank[k];
      std::swap(sbom.files[k], sbom.files[to]);
      std::swap(rank[k], rank[to]);
    }
  }
  for (std::uint32_t k = 0; k < order.size(); ++k) rank[order[k]] = k;
  for (auto& p : sbom.packages) {
    for (auto& k : p.location_file_indexes) k = rank[k];
    for (auto& k : p.owned_file_indexes) k = rank[k];
  }
}

}  // namespace

Result<Sbom> build_sbom(ImageSource& image, const SbomOptions& options, ImageWalk* walk_out) {
  const auto catalogers = default_catalogers();
  std::vector<FileRequest> requests = distro_requests();
  for (const auto& c : catalogers) {
    for (auto& r : c->requests()) requests.push_back(std::move(r));
  }

  std::vector<LayerCaptures> captures(std::max<std::size_t>(image.layer_count(), 1));
  ImageWalkOptions walk_options;
  walk_options.threads = options.threads;
  walk_options.progress = options.progress;
  walk_options.visitor_for_layer = [&](std::size_t layer) -> std::unique_ptr<LayerVisitor> {
    if (layer >= captures.size()) return nullptr;
    return std::make_unique<CaptureVisitor>(requests, captures[layer]);
  };
  // Layers analyzed before (same diff_id) come from the cache; a single-pass
  // source (a daemon's export stream) is read whole anyway.
  const auto& layer_refs = image.metadata().layers;
  std::vector<std::uint8_t> from_cache(image.layer_count(), 0);  // written by the worker threads, one slot each
  if (options.cache != nullptr && !image.single_pass()) {
    walk_options.known_layer = [&](std::size_t i) -> std::optional<LayerIndex> {
      if (i >= layer_refs.size() || i >= from_cache.size()) return std::nullopt;
      auto cached = options.cache->find(layer_refs[i].diff_id);
      if (!cached) return std::nullopt;
      for (auto& e : cached->index.entries) e.record.layer = static_cast<std::uint16_t>(i);
      cached->index.blob_digest = layer_refs[i].blob.digest;
      cached->index.blob_size = layer_refs[i].blob.size;
      captures[i] = std::move(cached->captures);
      from_cache[i] = 1;
      return std::move(cached->index);
    };
  }
  AIRLOCK_TRY_ASSIGN(ImageWalk walk, walk_image(image, walk_options));
  if (options.cache != nullptr && !sbom_source_is_folder(image)) {
    for (std::size_t i = 0; i < walk.layers.size() && i < from_cache.size(); ++i) {
      if (from_cache[i] == 0) options.cache->save(walk.layers[i].diff_id, walk.layers[i], captures[i]);
    }
  }

  Sbom sbom;
  sbom.image = image.metadata();
  sbom.user_input = options.user_input;
  std::vector<std::string> layer_ids;
  for (const auto& layer : walk.layers) {
    layer_ids.push_back(sbom.image.manifest_bytes.empty() ? "" : layer.diff_id.oci());
    LayerIndex summary;  // digests and sizes only; the entries stay with the walk
    summary.diff_id = layer.diff_id;
    summary.blob_digest = layer.blob_digest;
    summary.blob_size = layer.blob_size;
    summary.tar_size = layer.tar_size;
    summary.content_size = layer.content_size;
    sbom.layers.push_back(std::move(summary));
  }
  if (walk_out == nullptr && !options.all_layers) {
    // Nobody lists the layers' own entries: give them back before the SBOM
    // grows (the squashed index has what the catalogers need).
    for (auto& layer : walk.layers) layer = LayerIndex{};
  }
  sbom.source_id = sbom.image.manifest_bytes.empty() ? sha256(sbom.image.source).hex()
                                                     : sbom.image.manifest_digest.hex();
  const ContentResolver files(walk.squashed, captures, layer_ids);
  sbom.distro = detect_distro(files);
  std::map<std::pair<std::string, std::string>, FileRecord> location_records;
  if (options.all_layers) {
    sbom.scope = "all-layers";
    EveryLayerResult every = catalog_every_layer(
        {walk.layers, captures, layer_ids, walk.squashed, catalogers, sbom.distro, options.threads}, sbom.warnings);
    sbom.packages = std::move(every.packages);
    location_records = std::move(every.location_records);
  } else {
    for (const auto& c : catalogers) {
      CatalogResult found = c->catalog(files, sbom.distro, options.threads);
      for (auto& p : found.packages) sbom.packages.push_back(std::move(p));
      for (auto& w : found.warnings) sbom.warnings.push_back(std::move(w));
    }
  }
  // The captured contents served the catalogers; the files are located from
  // the squashed index alone.
  for (auto& layer : captures) layer.clear();
  sort_packages(sbom.packages);
  assign_package_ids(sbom.packages);

  FileOverlap overlap(sbom.packages);
  attach_files(sbom, files, options.threads, overlap, location_records);
  // dependency-of: the package that provides a name → each package requiring it.
  std::map<std::string, std::vector<const Package*>> providers;
  for (const auto& p : sbom.packages) {
    for (const auto& name : p.provides) providers[p.type + ":" + name].push_back(&p);
  }
  std::set<std::pair<std::string, std::string>> edges;
  for (const auto& p : sbom.packages) {
    for (const auto& name : p.requires_) {
      auto it = providers.find(p.type + ":" + name);
      if (it == providers.end()) continue;
      for (const Package* provider : it->second) {
        if (provider->id != p.id && edges.insert({provider->id, p.id}).second) {
          sbom.relationships.push_back({provider->id, p.id, "dependency-of", "", {}});
        }
      }
    }
  }
  for (auto& r : overlap.relationships()) sbom.relationships.push_back(std::move(r));
  std::sort(sbom.relationships.begin(), sbom.relationships.end(), [](const Relationship& a, const Relationship& b) {
    return std::tie(a.parent, a.child, a.type) < std::tie(b.parent, b.child, b.type);
  });
  if (walk_out != nullptr) *walk_out = std::move(walk);
  return sbom;
}

void for_each_relationship(const Sbom& sbom, const std::function<void(const Relationship&)>& emit) {
  for (const auto& p : sbom.packages) {
    emit({sbom.source_id, p.id, "contains", "", {}});
  }
  for (const auto& p : sbom.packages) {
    for (std::uint32_t k : p.owned_file_indexes) emit({p.id, sbom.files[k].id, "contains", "", {}});
    for (std::size_t j = 0; j < p.location_file_indexes.size(); ++j) {
      emit({p.id, sbom.files[p.location_file_indexes[j]].id, "evident-by", p.locations[j].evidence, {}});
    }
  }
  for (const auto& rel : sbom.relationships) emit(rel);
}

std::vector<Relationship> all_relationships(const Sbom& sbom) {
  std::vector<Relationship> out;
  for_each_relationship(sbom, [&](const Relationship& r) { out.push_back(r); });
  std::sort(out.begin(), out.end(), [](const Relationship& a, const Relationship& b) {
    return std::tie(a.parent, a.child, a.type) < std::tie(b.parent, b.child, b.type);
  });
  return out;
}

}  // namespace airlock
