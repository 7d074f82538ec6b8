#include "analyze/sbom.hpp"

#include <map>
#include <set>

#include "analyze/catalog/cataloger.hpp"
#include "analyze/distro.hpp"
#include "analyze/layer_cache.hpp"

namespace airlock {

namespace {

std::string coordinates_id(const FileLocation& l) { return sha256(l.path + '\0' + l.layer_id).hex().substr(0, 16); }

// A dir: source has no layers with a diff_id worth caching.
bool sbom_source_is_folder(const ImageSource& image) { return image.metadata().manifest_bytes.empty() && !image.single_pass(); }

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
  std::vector<bool> from_cache(image.layer_count(), false);
  if (options.cache != nullptr && !image.single_pass()) {
    walk_options.preloaded.resize(image.layer_count());
    for (std::size_t i = 0; i < layer_refs.size() && i < image.layer_count(); ++i) {
      auto cached = options.cache->find(layer_refs[i].diff_id);
      if (!cached) continue;
      for (auto& e : cached->index.entries) e.record.layer = static_cast<std::uint16_t>(i);
      cached->index.blob_digest = layer_refs[i].blob.digest;
      cached->index.blob_size = layer_refs[i].blob.size;
      captures[i] = std::move(cached->captures);
      walk_options.preloaded[i] = std::move(cached->index);
      from_cache[i] = true;
    }
  }
  AIRLOCK_TRY_ASSIGN(ImageWalk walk, walk_image(image, walk_options));
  if (options.cache != nullptr && !sbom_source_is_folder(image)) {
    for (std::size_t i = 0; i < walk.layers.size() && i < from_cache.size(); ++i) {
      if (!from_cache[i]) options.cache->save(walk.layers[i].diff_id, walk.layers[i], captures[i]);
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
  sbom.source_id = sbom.image.manifest_bytes.empty() ? sha256(sbom.image.source).hex()
                                                     : sbom.image.manifest_digest.hex();
  const ContentResolver files(walk.squashed, captures, layer_ids);
  sbom.distro = detect_distro(files);
  for (const auto& c : catalogers) {
    CatalogResult found = c->catalog(files, sbom.distro);
    for (auto& p : found.packages) sbom.packages.push_back(std::move(p));
    for (auto& w : found.warnings) sbom.warnings.push_back(std::move(w));
  }
  sort_packages(sbom.packages);
  assign_package_ids(sbom.packages);

  // Files: those packages own (that exist) and those that are evidence.
  std::map<std::string, SbomFile> file_by_id;
  auto add_file = [&](const FileLocation& location) -> std::string {
    const std::string id = coordinates_id(location);
    if (file_by_id.count(id) == 0) {
      const FileRecord* record = walk.squashed.find(location.path);
      file_by_id[id] = SbomFile{id, location, record != nullptr ? *record : FileRecord{}};
    }
    return id;
  };
  std::vector<std::vector<std::string>> owned_ids(sbom.packages.size()), location_ids(sbom.packages.size());
  for (std::size_t i = 0; i < sbom.packages.size(); ++i) {
    const Package& p = sbom.packages[i];
    for (const auto& l : p.locations) location_ids[i].push_back(add_file(l.file));
    std::set<std::string> seen;
    for (const auto& path : p.owned_files) {
      auto location = files.locate(path);
      if (!location) continue;
      const std::string file_id = add_file(*location);
      if (seen.insert(file_id).second) owned_ids[i].push_back(file_id);
    }
  }
  std::map<std::string, std::uint32_t> index_of;
  for (auto& [id, file] : file_by_id) sbom.files.push_back(std::move(file));
  std::sort(sbom.files.begin(), sbom.files.end(), [](const SbomFile& a, const SbomFile& b) {
    return std::tie(a.location.path, a.location.layer_id) < std::tie(b.location.path, b.location.layer_id);
  });
  for (std::uint32_t k = 0; k < sbom.files.size(); ++k) index_of[sbom.files[k].id] = k;
  for (std::size_t i = 0; i < sbom.packages.size(); ++i) {
    for (const auto& id : location_ids[i]) sbom.packages[i].location_file_indexes.push_back(index_of.at(id));
    for (const auto& id : owned_ids[i]) sbom.packages[i].owned_file_indexes.push_back(index_of.at(id));
  }

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
          sbom.relationships.push_back({provider->id, p.id, "dependency-of", ""});
        }
      }
    }
  }
  std::sort(sbom.relationships.begin(), sbom.relationships.end(), [](const Relationship& a, const Relationship& b) {
    return std::tie(a.parent, a.child, a.type) < std::tie(b.parent, b.child, b.type);
  });
  if (walk_out != nullptr) *walk_out = std::move(walk);
  return sbom;
}

void for_each_relationship(const Sbom& sbom, const std::function<void(const Relationship&)>& emit) {
  for (const auto& p : sbom.packages) {
    emit({sbom.source_id, p.id, "contains", ""});
  }
  for (const auto& p : sbom.packages) {
    for (std::uint32_t k : p.owned_file_indexes) emit({p.id, sbom.files[k].id, "contains", ""});
    for (std::size_t j = 0; j < p.location_file_indexes.size(); ++j) {
      emit({p.id, sbom.files[p.location_file_indexes[j]].id, "evident-by", p.locations[j].evidence});
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
