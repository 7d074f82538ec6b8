#pragma once
// Test helper: builds small container images in memory (layer tars made with
// libarchive, gzip/zstd/none) and writes them as an OCI layout, an OCI
// archive or a docker archive, so tests control every byte, including the
// broken ones.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "analyze/decompress.hpp"
#include "analyze/file_index.hpp"

namespace airlock::testing {

struct TarEntry {
  TarEntry(std::string name_, FileType type_ = FileType::regular, std::string content_ = "",
           std::string link_ = "", unsigned mode_ = 0644, unsigned uid_ = 0, unsigned gid_ = 0)
      : name(std::move(name_)), type(type_), content(std::move(content_)), link(std::move(link_)),
        mode(mode_), uid(uid_), gid(gid_) {}
  std::string name;  // as written into the tar, e.g. "etc/os-release"
  FileType type;
  std::string content;
  std::string link;  // symlink or hardlink target
  unsigned mode;
  unsigned uid;
  unsigned gid;
};

std::string make_tar(const std::vector<TarEntry>& entries);
std::string compress(const std::string& data, Compression kind);

struct TestImage {
  std::vector<std::string> blobs;        // layer blobs as stored
  std::vector<std::string> diff_ids;     // "sha256:…"
  std::vector<std::string> media_types;
  std::string config;
  std::string manifest;
  std::string os = "linux";
  std::string architecture = "amd64";
};

TestImage make_image(const std::vector<std::vector<TarEntry>>& layers,
                     Compression compression = Compression::gzip,
                     const std::string& architecture = "amd64");
// Re-serialises the manifest after a test changed blobs/media types.
void rebuild_manifest(TestImage& image);

std::string digest_of(const std::string& bytes);  // "sha256:…"

// Writes an OCI layout at DIR. With several images, index.json lists each
// manifest with its platform; with INDEX_BLOB they go into an image index
// blob that index.json names (as skopeo copy --all writes).
void write_oci_layout(const std::vector<TestImage>& images, const std::filesystem::path& dir,
                      bool index_blob = false);
// Tars a folder's contents into an archive file (members relative).
void tar_directory(const std::filesystem::path& dir, const std::filesystem::path& archive);
// A legacy docker archive: manifest.json, <config>.json, <diffid>/layer.tar.
void write_docker_archive(const TestImage& image, const std::filesystem::path& file,
                          const std::string& repo_tag = "example.test/app:1.0");

// Writes raw members (name → bytes) into a tar file, in order.
void write_tar_file(const std::filesystem::path& file,
                    const std::vector<std::pair<std::string, std::string>>& members);

}  // namespace airlock::testing
