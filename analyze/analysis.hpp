#pragma once
// An analysis as AnchoreCTL's distributed mode makes it: an image's SBOM,
// manifest, config and parent index, with the app/version/asset it belongs to,
// recorded in the store as one item ready for export.

#include <map>
#include <optional>
#include <string>

#include "analyze/image_source.hpp"
#include "base/progress.hpp"
#include "base/random.hpp"
#include "store/store.hpp"

namespace airlock {

struct AnalysisRequest {
  std::string account;  // "" = the user's default account on the Anchore side
  std::string app;
  std::string version;
  std::string asset;       // "" = derived from the reference (asset_name_for)
  std::string asset_type = "container";
  std::map<std::string, std::string> annotations;
  std::string reference;   // "docker.io/acme/api:1.4" (no digest); "" = from the image or asset
  std::optional<std::string> dockerfile;  // its bytes
  std::string user_input;
  std::string tool_version;  // written into the SBOM's descriptor
  unsigned threads = 2;
  Progress* progress = nullptr;
  bool use_layer_cache = true;  // reuse per-layer results kept in the store
};

struct AnalysisResult {
  Item item;
  std::optional<std::string> replaced;
  std::vector<std::string> warnings;
};

// "k=v,k2=v2" with Anchore's rules: at most 10, keys [A-Za-z0-9._/-]+,
// values up to 1024 characters, "k=" drops k, the anchore.system/ prefix is
// reserved. Usage errors say which entry is wrong.
Result<std::map<std::string, std::string>> parse_annotations(std::string_view text);

// AnchoreCTL-style default asset name: the repository of the reference
// without its registry and Docker Hub's "library/" ("nginx", "acme/api").
std::string asset_name_for(std::string_view reference);

// Analyzes IMAGE and records it in STORE; identifiers come from RANDOM.
Result<AnalysisResult> analyze_image(ImageSource& image, AnalysisRequest request, Store& store,
                                     RandomSource& random);

}  // namespace airlock
