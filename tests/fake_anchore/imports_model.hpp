#pragma once
// The Enterprise 5.x store of fake-anchore (--api v5): image import operations,
// their uploaded contents (by SHA-256), and the image records a finalize
// (POST /v2/images with source.import) creates — anchore-api.md §4.4/§4.5.

#include <nlohmann/json.hpp>

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "tests/fake_anchore/errors.hpp"
#include "tests/fake_anchore/options.hpp"

namespace airlock::fake_anchore {

class ImportsModel {
 public:
  explicit ImportsModel(const Options& options) : m_options(options) {}

  Answer create_operation(const std::string& account);
  Answer get_operation(const std::string& account, const std::string& operation);
  Answer list_operations(const std::string& account);
  // KIND is the ImportContentDigests key (packages, sbom, manifest,
  // parent_manifest, image_config, dockerfile, secret_searches, ...).
  Answer upload(const std::string& account, const std::string& operation, const std::string& kind,
                const std::string& body, const std::string& content_type);
  Answer list_contents(const std::string& account, const std::string& operation, const std::string& kind);
  // BODY is the ImageAnalysisRequest of POST /v2/images.
  Answer finalize(const std::string& account, const nlohmann::json& body);
  // Reads an image record, advancing its analysis one step (a poll).
  Answer get_image(const std::string& account, const std::string& digest);

  // {"import_operations": [...], "images": [...]} for /_fake/state.
  nlohmann::json state();

 private:
  struct Content {
    std::string kind;
    std::string digest;  // hex, no prefix
    std::string content_type;
    std::size_t size = 0;
    std::string created_at;
    std::string body;  // kept for the manifest only, to check the config digest at finalize
  };
  struct Operation {
    std::string uuid;
    std::string account;
    std::string status = "pending";
    std::string created_at;
    std::string expires_at;
    std::vector<Content> contents;
  };
  struct Image {
    std::string account;
    std::string digest;
    std::string operation;
    std::string status = "not_analyzed";
    nlohmann::json annotations;
    nlohmann::json tags;
    nlohmann::json import_manifest;
    std::string created_at;
    std::string updated_at;
    int polls = 0;
    bool fails = false;
    std::chrono::steady_clock::time_point started;
  };

  static nlohmann::json operation_json(const Operation& op);
  static nlohmann::json image_json(const Image& image);
  Operation* find_operation(const std::string& account, const std::string& uuid);
  static const Content* find_content(const Operation& op, const std::string& kind, const std::string& digest);
  // Checks the ImageImportManifest against the operation; nullopt when fine.
  std::optional<Answer> check_manifest(const nlohmann::json& manifest, const Operation& op) const;
  void settle(Image& image, bool polled);

  const Options& m_options;
  std::mutex m_mutex;
  std::vector<Operation> m_operations;
  std::vector<Image> m_images;
};

}  // namespace airlock::fake_anchore
