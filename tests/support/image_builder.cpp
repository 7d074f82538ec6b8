#include "tests/support/image_builder.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "crypto/sha256.hpp"

namespace airlock::testing {

namespace {

using nlohmann::ordered_json;

struct WriteBuffer {
  std::string data;
};

la_ssize_t write_cb(struct archive*, void* client, const void* buffer, size_t length) {
  static_cast<WriteBuffer*>(client)->data.append(static_cast<const char*>(buffer), length);
  return static_cast<la_ssize_t>(length);
}

int close_cb(struct archive*, void*) { return ARCHIVE_OK; }

void check(int rc, struct archive* a) {
  if (rc < ARCHIVE_WARN) throw std::runtime_error(archive_error_string(a));
}

std::string write_archive(const std::vector<TarEntry>& entries, int filter) {
  WriteBuffer out;
  struct archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  if (filter == ARCHIVE_FILTER_GZIP) check(archive_write_add_filter_gzip(a), a);
  if (filter == ARCHIVE_FILTER_ZSTD) check(archive_write_add_filter_zstd(a), a);
  archive_write_set_bytes_in_last_block(a, 1);
  check(archive_write_open(a, &out, nullptr, write_cb, close_cb), a);
  for (const auto& e : entries) {
    struct archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, e.name.c_str());
    archive_entry_set_perm(entry, e.mode);
    archive_entry_set_uid(entry, e.uid);
    archive_entry_set_gid(entry, e.gid);
    archive_entry_set_mtime(entry, 1700000000, 0);
    switch (e.type) {
      case FileType::directory: archive_entry_set_filetype(entry, AE_IFDIR); break;
      case FileType::symlink:
        archive_entry_set_filetype(entry, AE_IFLNK);
        archive_entry_set_symlink(entry, e.link.c_str());
        break;
      case FileType::hardlink:
        archive_entry_set_filetype(entry, AE_IFREG);
        archive_entry_set_hardlink(entry, e.link.c_str());
        break;
      default:
        archive_entry_set_filetype(entry, AE_IFREG);
        archive_entry_set_size(entry, static_cast<la_int64_t>(e.content.size()));
    }
    check(archive_write_header(a, entry), a);
    if (e.type == FileType::regular && !e.content.empty()) {
      archive_write_data(a, e.content.data(), e.content.size());
    }
    archive_entry_free(entry);
  }
  check(archive_write_close(a), a);
  archive_write_free(a);
  return out.data;
}

}  // namespace

std::string make_tar(const std::vector<TarEntry>& entries) {
  return write_archive(entries, ARCHIVE_FILTER_NONE);
}

std::string compress(const std::string& data, Compression kind) {
  if (kind == Compression::none) return data;
  WriteBuffer out;
  struct archive* a = archive_write_new();
  archive_write_set_format_raw(a);
  check(kind == Compression::gzip ? archive_write_add_filter_gzip(a) : archive_write_add_filter_zstd(a), a);
  archive_write_set_bytes_in_last_block(a, 1);
  check(archive_write_open(a, &out, nullptr, write_cb, close_cb), a);
  struct archive_entry* entry = archive_entry_new();
  archive_entry_set_filetype(entry, AE_IFREG);
  archive_entry_set_size(entry, static_cast<la_int64_t>(data.size()));
  check(archive_write_header(a, entry), a);
  archive_write_data(a, data.data(), data.size());
  archive_entry_free(entry);
  check(archive_write_close(a), a);
  archive_write_free(a);
  return out.data;
}

std::string digest_of(const std::string& bytes) { return sha256(bytes).oci(); }

void rebuild_manifest(TestImage& image) {
  ordered_json config = ordered_json::parse(image.config);
  ordered_json manifest;
  manifest["schemaVersion"] = 2;
  manifest["mediaType"] = "application/vnd.oci.image.manifest.v1+json";
  manifest["config"] = {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                        {"digest", digest_of(image.config)},
                        {"size", image.config.size()}};
  manifest["layers"] = ordered_json::array();
  for (std::size_t i = 0; i < image.blobs.size(); ++i) {
    manifest["layers"].push_back({{"mediaType", image.media_types[i]},
                                  {"digest", digest_of(image.blobs[i])},
                                  {"size", image.blobs[i].size()}});
  }
  image.manifest = manifest.dump();
}

TestImage make_image(const std::vector<std::vector<TarEntry>>& layers, Compression compression,
                     const std::string& architecture) {
  TestImage image;
  image.architecture = architecture;
  ordered_json diff_ids = ordered_json::array();
  for (const auto& layer : layers) {
    const std::string tar = make_tar(layer);
    image.diff_ids.push_back(digest_of(tar));
    diff_ids.push_back(image.diff_ids.back());
    image.blobs.push_back(compress(tar, compression));
    image.media_types.push_back(compression == Compression::gzip ? "application/vnd.oci.image.layer.v1.tar+gzip"
                                : compression == Compression::zstd ? "application/vnd.oci.image.layer.v1.tar+zstd"
                                                                   : "application/vnd.oci.image.layer.v1.tar");
  }
  ordered_json config;
  config["architecture"] = architecture;
  config["os"] = "linux";
  config["created"] = "2026-01-01T00:00:00Z";
  config["config"] = {{"Env", {"PATH=/usr/bin"}}, {"Cmd", {"/bin/sh"}}};
  config["rootfs"] = {{"type", "layers"}, {"diff_ids", diff_ids}};
  image.config = config.dump();
  rebuild_manifest(image);
  return image;
}

static void write_file(const std::filesystem::path& path, const std::string& bytes) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

void write_oci_layout(const std::vector<TestImage>& images, const std::filesystem::path& dir,
                      bool index_blob) {
  auto blob = [&](const std::string& bytes) {
    write_file(dir / "blobs/sha256" / digest_of(bytes).substr(7), bytes);
  };
  ordered_json manifests = ordered_json::array();
  for (const auto& image : images) {
    for (const auto& b : image.blobs) blob(b);
    blob(image.config);
    blob(image.manifest);
    ordered_json d = {{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                      {"digest", digest_of(image.manifest)},
                      {"size", image.manifest.size()}};
    if (images.size() > 1 || index_blob) {
      d["platform"] = {{"architecture", image.architecture}, {"os", image.os}};
    }
    if (!index_blob) d["annotations"] = {{"org.opencontainers.image.ref.name", "latest"}};
    manifests.push_back(d);
  }
  ordered_json index = {{"schemaVersion", 2},
                        {"mediaType", "application/vnd.oci.image.index.v1+json"},
                        {"manifests", manifests}};
  if (index_blob) {
    const std::string inner = index.dump();
    blob(inner);
    index["manifests"] = ordered_json::array({{{"mediaType", "application/vnd.oci.image.index.v1+json"},
                                                {"digest", digest_of(inner)},
                                                {"size", inner.size()},
                                                {"annotations", {{"org.opencontainers.image.ref.name", "latest"}}}}});
  }
  write_file(dir / "index.json", index.dump());
  write_file(dir / "oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
}

void write_tar_file(const std::filesystem::path& file,
                    const std::vector<std::pair<std::string, std::string>>& members) {
  std::vector<TarEntry> entries;
  for (const auto& [name, bytes] : members) entries.push_back({name, FileType::regular, bytes, "", 0644, 0, 0});
  write_file(file, make_tar(entries));
}

void tar_directory(const std::filesystem::path& dir, const std::filesystem::path& archive) {
  std::vector<std::pair<std::string, std::string>> members;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    members.emplace_back(std::filesystem::relative(e.path(), dir).generic_string(), bytes);
  }
  write_tar_file(archive, members);
}

void write_docker_archive(const TestImage& image, const std::filesystem::path& file,
                          const std::string& repo_tag) {
  std::vector<std::pair<std::string, std::string>> members;
  ordered_json layers = ordered_json::array();
  for (std::size_t i = 0; i < image.blobs.size(); ++i) {
    const std::string name = image.diff_ids[i].substr(7) + "/layer.tar";
    members.emplace_back(name, image.blobs[i]);
    layers.push_back(name);
  }
  const std::string config_name = digest_of(image.config).substr(7) + ".json";
  members.emplace_back(config_name, image.config);
  ordered_json manifest = ordered_json::array(
      {{{"Config", config_name}, {"RepoTags", {repo_tag}}, {"Layers", layers}}});
  members.emplace_back("manifest.json", manifest.dump());
  write_tar_file(file, members);
}

}  // namespace airlock::testing
