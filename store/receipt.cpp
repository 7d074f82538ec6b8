#include "store/receipt.hpp"

#include <nlohmann/json.hpp>

#include "crypto/base64.hpp"

namespace airlock {

namespace {

constexpr std::size_t k_max_receipt_items = 1000000;

Result<std::string> text(const nlohmann::json& j, const char* key, const std::string& name) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_string()) {
    return Error(ErrorCode::invalid_input, name + ": receipt field \"" + key + "\" is missing or not a string");
  }
  return j[key].get<std::string>();
}

std::span<const std::uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace

std::string write_signed_receipt(const Receipt& receipt, const SecretKey& key) {
  nlohmann::ordered_json items = nlohmann::ordered_json::array();
  for (const auto& i : receipt.items) {
    items.push_back({{"producer", i.producer}, {"item_id", i.item_id}, {"bundle_id", i.bundle_id}, {"state", i.state},
                     {"job_id", i.job_id}});
  }
  const std::string body = nlohmann::ordered_json{{"receipt_id", receipt.receipt_id}, {"created", receipt.created},
                                                  {"bundles", receipt.bundle_ids}, {"items", items}}
                               .dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  const Signature signature = sign(key, bytes_of(body));
  return nlohmann::ordered_json{{"format", "airlock-receipt"}, {"version", 1}, {"key_id", key.public_key().key_id()},
                                {"body", body}, {"signature", to_base64(signature)}}
             .dump(2) +
         "\n";
}

Result<Receipt> read_signed_receipt(std::string_view bytes, const std::vector<PublicKey>& trusted,
                                    const std::string& name) {
  const auto outer = nlohmann::json::parse(bytes, nullptr, false);
  if (!outer.is_object() || !outer.contains("format") || outer["format"] != "airlock-receipt") {
    return Error(ErrorCode::invalid_input, name + " is not an airlock receipt");
  }
  if (!outer.contains("version") || outer["version"] != 1) {
    return Error(ErrorCode::invalid_input, name + ": receipt version not supported (this airlock reads version 1)");
  }
  AIRLOCK_TRY_ASSIGN(const std::string key_id, text(outer, "key_id", name));
  AIRLOCK_TRY_ASSIGN(const std::string body, text(outer, "body", name));
  AIRLOCK_TRY_ASSIGN(const std::string signature_text, text(outer, "signature", name));
  const auto signature_bytes = from_base64(signature_text);
  if (!signature_bytes || signature_bytes->size() != Signature{}.size()) {
    return Error(ErrorCode::verification, name + ": the receipt's signature is malformed");
  }
  Signature signature{};
  std::copy(signature_bytes->begin(), signature_bytes->end(), signature.begin());
  const PublicKey* signer = nullptr;
  for (const auto& k : trusted) {
    if (k.key_id() == key_id) signer = &k;
  }
  if (signer == nullptr) {
    return Error(ErrorCode::verification, name + ": signed by key " + key_id + ", which is not among the --trust keys");
  }
  if (!verify_signature(*signer, bytes_of(body), signature)) {
    return Error(ErrorCode::verification, name + ": the receipt's signature does not verify (altered?)");
  }
  const auto j = nlohmann::json::parse(body, nullptr, false);
  Receipt receipt;
  receipt.signer_key_id = key_id;
  AIRLOCK_TRY_ASSIGN(receipt.receipt_id, text(j, "receipt_id", name));
  AIRLOCK_TRY_ASSIGN(receipt.created, text(j, "created", name));
  if (!j.contains("bundles") || !j["bundles"].is_array() || !j.contains("items") || !j["items"].is_array() ||
      j["items"].size() > k_max_receipt_items) {
    return Error(ErrorCode::invalid_input, name + ": the receipt's bundles or items are malformed");
  }
  for (const auto& b : j["bundles"]) {
    if (!b.is_string()) return Error(ErrorCode::invalid_input, name + ": a bundle id is not a string");
    receipt.bundle_ids.push_back(b.get<std::string>());
  }
  for (const auto& i : j["items"]) {
    ReceiptItem item;
    AIRLOCK_TRY_ASSIGN(item.producer, text(i, "producer", name));
    AIRLOCK_TRY_ASSIGN(item.item_id, text(i, "item_id", name));
    AIRLOCK_TRY_ASSIGN(item.bundle_id, text(i, "bundle_id", name));
    AIRLOCK_TRY_ASSIGN(item.state, text(i, "state", name));
    AIRLOCK_TRY_ASSIGN(item.job_id, text(i, "job_id", name));
    receipt.items.push_back(std::move(item));
  }
  return receipt;
}

}  // namespace airlock
