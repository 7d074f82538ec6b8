#include "store/bundle_manifest.hpp"

#include <nlohmann/json.hpp>
#include <set>

#include "crypto/base64.hpp"

namespace airlock {

namespace {

using nlohmann::ordered_json;

constexpr std::size_t k_max_members = 100000;
constexpr std::size_t k_max_items = 10000;

Error bad(std::string_view what) {
  return Error(ErrorCode::verification, "bundle manifest: " + std::string(what));
}

Result<std::string> text(const nlohmann::json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return bad(std::string("'") + key + "' is missing or not text");
  return it->get<std::string>();
}

Result<std::uint64_t> number(const nlohmann::json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_number_unsigned()) return bad(std::string("'") + key + "' is missing or not a count");
  return it->get<std::uint64_t>();
}

Result<BundleVolume> parse_volume(const nlohmann::json& j) {
  if (!j.is_object()) return bad("'volume' is not an object");
  BundleVolume v;
  AIRLOCK_TRY_ASSIGN(const std::uint64_t index, number(j, "index"));
  AIRLOCK_TRY_ASSIGN(const std::uint64_t count, number(j, "count"));
  if (count == 0 || count > k_max_volumes || index == 0 || index > count) {
    return bad("volume " + std::to_string(index) + " of " + std::to_string(count) + " is out of range");
  }
  v.index = static_cast<std::uint32_t>(index);
  v.count = static_cast<std::uint32_t>(count);
  if (j.contains("first") && !j["first"].is_null()) {
    AIRLOCK_TRY_ASSIGN(const std::string first, text(j, "first"));
    AIRLOCK_TRY_ASSIGN(v.first, Sha256Digest::parse(first).context("bundle manifest volume.first"));
  }
  if ((v.index == 1) != !v.first) return bad("volume.first must be null in volume 1 and set in every other volume");
  return v;
}

// A part of a split bundle's item: its "volume" must be in range, agree with
// every other part naming the same member, and say this volume exactly when
// this volume lists the member.
Status place_part(BundleManifest& m, const nlohmann::json& part, const std::string& member, bool listed,
                  const std::string& what) {
  AIRLOCK_TRY_ASSIGN(const std::uint64_t volume, number(part, "volume"));
  if (volume == 0 || volume > m.volume->count) {
    return bad(what + " names volume " + std::to_string(volume) + " of " + std::to_string(m.volume->count));
  }
  const auto [it, inserted] = m.member_volumes.emplace(member, static_cast<std::uint32_t>(volume));
  if (!inserted && it->second != volume) return bad(what + " places member " + member + " in two volumes");
  if (listed != (volume == m.volume->index)) {
    return bad(what + (listed ? " is listed here but placed in volume " + std::to_string(volume)
                              : " is placed in this volume but its member is not listed"));
  }
  return {};
}

}  // namespace

std::string member_name(const Sha256Digest& content, bool encrypted) {
  return "blobs/sha256/" + content.hex() + (encrypted ? ".zst.sealed" : ".zst");
}

std::string serialize_bundle_manifest(const BundleManifest& m) {
  ordered_json doc;
  doc["format"] = "airlock-bundle";
  doc["version"] = k_bundle_format_version;
  doc["bundle_id"] = m.bundle_id;
  doc["created"] = m.created;
  doc["producer"] = {{"key_id", m.producer_key_id}, {"public_key", to_base64(m.producer_key.bytes)}};
  doc["destination"] = m.destination;
  doc["sequence"] = m.sequence;
  doc["previous"] = m.previous ? ordered_json(m.previous->oci()) : ordered_json(nullptr);
  doc["items"] = ordered_json::array();
  for (const auto& i : m.items) {
    ordered_json parts = ordered_json::object();
    for (const auto& p : i.parts) {
      const std::string member = member_name(p.blob, m.encrypted());
      parts[p.name] = {{"digest", p.blob.oci()}, {"size", p.size}, {"media_type", p.media_type}, {"member", member}};
      if (m.volume) {
        const auto v = m.member_volumes.find(member);
        parts[p.name]["volume"] = v == m.member_volumes.end() ? 0 : v->second;  // 0: a writer's bug, refused on reading
      }
    }
    doc["items"].push_back({{"id", i.id}, {"account", i.account}, {"app", i.app}, {"version", i.version},
                            {"asset", i.asset}, {"asset_type", i.asset_type}, {"annotations", i.annotations},
                            {"image_reference", i.image_reference}, {"image_digest", i.image_digest},
                            {"tags", i.tags}, {"platform", i.platform}, {"parent_digest", i.parent_digest},
                            {"local_image_id", i.local_image_id}, {"package_count", i.package_count},
                            {"created", i.created}, {"parts", parts}});
  }
  doc["encryption"] = m.encrypted() ? ordered_json{{"scheme", "ALSEALv1"}, {"recipients", m.recipients}}
                                     : ordered_json(nullptr);
  if (m.volume) {
    doc["volume"] = {{"index", m.volume->index}, {"count", m.volume->count},
                     {"first", m.volume->first ? ordered_json(m.volume->first->oci()) : ordered_json(nullptr)}};
  }
  doc["members"] = ordered_json::array();
  for (const auto& mem : m.members) doc["members"].push_back({{"name", mem.name}, {"size", mem.size}, {"sha256", mem.sha256.hex()}});
  return doc.dump(1, ' ', false, ordered_json::error_handler_t::replace) + "\n";
}

Result<BundleManifest> parse_bundle_manifest(std::string_view bytes) {
  if (bytes.size() > k_max_bundle_manifest) return bad("larger than 16 MiB");
  const auto doc = nlohmann::json::parse(bytes, nullptr, false);
  if (!doc.is_object()) return bad("not a JSON object");
  AIRLOCK_TRY_ASSIGN(const std::string format, text(doc, "format"));
  if (format != "airlock-bundle") return bad("not an airlock bundle (format '" + format.substr(0, 40) + "')");
  AIRLOCK_TRY_ASSIGN(const std::uint64_t version, number(doc, "version"));
  if (version != k_bundle_format_version) {
    return Error(ErrorCode::usage, "bundle format version " + std::to_string(version) +
                                       " is not one this airlock reads (it reads version 1); upgrade airlock");
  }
  BundleManifest m;
  AIRLOCK_TRY_ASSIGN(m.bundle_id, text(doc, "bundle_id"));
  AIRLOCK_TRY_ASSIGN(m.created, text(doc, "created"));
  AIRLOCK_TRY_ASSIGN(m.destination, text(doc, "destination"));
  AIRLOCK_TRY_ASSIGN(const std::uint64_t sequence, number(doc, "sequence"));
  if (sequence == 0 || sequence > (1ull << 53)) return bad("sequence out of range");
  m.sequence = static_cast<std::int64_t>(sequence);
  if (!doc.contains("producer") || !doc["producer"].is_object()) return bad("no producer");
  AIRLOCK_TRY_ASSIGN(m.producer_key_id, text(doc["producer"], "key_id"));
  AIRLOCK_TRY_ASSIGN(const std::string key_text, text(doc["producer"], "public_key"));
  auto key = from_base64(key_text);
  if (!key || key->size() != 32) return bad("the producer's public key is not 32 bytes of base64");
  std::copy(key->begin(), key->end(), m.producer_key.bytes.begin());
  if (m.producer_key.key_id() != m.producer_key_id) return bad("the producer's key id does not match its key");
  if (doc.contains("previous") && !doc["previous"].is_null()) {
    AIRLOCK_TRY_ASSIGN(const std::string previous, text(doc, "previous"));
    AIRLOCK_TRY_ASSIGN(const Sha256Digest digest, Sha256Digest::parse(previous).context("bundle manifest previous"));
    m.previous = digest;
  }
  if (doc.contains("encryption") && !doc["encryption"].is_null()) {
    const auto& e = doc["encryption"];
    if (!e.is_object() || !e.contains("scheme") || e["scheme"] != "ALSEALv1" || !e.contains("recipients") ||
        !e["recipients"].is_array() || e["recipients"].empty() || e["recipients"].size() > 256) {
      return bad("unknown or malformed encryption");
    }
    for (const auto& r : e["recipients"]) {
      if (!r.is_string()) return bad("a recipient key id is not text");
      m.recipients.push_back(r.get<std::string>());
    }
  }
  if (doc.contains("volume") && !doc["volume"].is_null()) {
    AIRLOCK_TRY_ASSIGN(m.volume, parse_volume(doc["volume"]));
  }
  const std::string suffix = m.encrypted() ? ".zst.sealed" : ".zst";
  if (!doc.contains("members") || !doc["members"].is_array() || doc["members"].size() > k_max_members) {
    return bad("no member list, or too many members");
  }
  std::set<std::string> names;
  for (const auto& mem : doc["members"]) {
    if (!mem.is_object()) return bad("a member entry is not an object");
    BundleMember member;
    AIRLOCK_TRY_ASSIGN(member.name, text(mem, "name"));
    AIRLOCK_TRY_ASSIGN(member.size, number(mem, "size"));
    AIRLOCK_TRY_ASSIGN(const std::string hash, text(mem, "sha256"));
    AIRLOCK_TRY_ASSIGN(member.sha256, Sha256Digest::parse(hash).context("bundle manifest member"));
    const bool well_formed = member.name.starts_with("blobs/sha256/") && member.name.ends_with(suffix) &&
                             member.name.size() == 13 + 64 + suffix.size() &&
                             Sha256Digest::parse(member.name.substr(13, 64)).ok();
    if (!well_formed) return bad("member name '" + member.name.substr(0, 100) + "' is not blobs/sha256/<hex>.zst");
    if (!names.insert(member.name).second) return bad("member '" + member.name + "' is listed twice");
    m.members.push_back(std::move(member));
  }
  if (!doc.contains("items") || !doc["items"].is_array() || doc["items"].size() > k_max_items) {
    return bad("no item list, or too many items");
  }
  for (const auto& j : doc["items"]) {
    if (!j.is_object()) return bad("an item is not an object");
    Item item;
    AIRLOCK_TRY_ASSIGN(item.id, text(j, "id"));
    AIRLOCK_TRY_ASSIGN(item.account, text(j, "account"));
    AIRLOCK_TRY_ASSIGN(item.app, text(j, "app"));
    AIRLOCK_TRY_ASSIGN(item.version, text(j, "version"));
    AIRLOCK_TRY_ASSIGN(item.asset, text(j, "asset"));
    AIRLOCK_TRY_ASSIGN(item.asset_type, text(j, "asset_type"));
    AIRLOCK_TRY_ASSIGN(item.image_reference, text(j, "image_reference"));
    AIRLOCK_TRY_ASSIGN(item.image_digest, text(j, "image_digest"));
    AIRLOCK_TRY_ASSIGN(item.platform, text(j, "platform"));
    AIRLOCK_TRY_ASSIGN(item.parent_digest, text(j, "parent_digest"));
    AIRLOCK_TRY_ASSIGN(item.local_image_id, text(j, "local_image_id"));
    AIRLOCK_TRY_ASSIGN(item.created, text(j, "created"));
    AIRLOCK_TRY_ASSIGN(const std::uint64_t packages, number(j, "package_count"));
    item.package_count = static_cast<std::int64_t>(packages);
    if (j.contains("annotations") && j["annotations"].is_object()) {
      for (const auto& [k, v] : j["annotations"].items()) {
        if (!v.is_string()) return bad("an annotation value is not text");
        item.annotations[k] = v.get<std::string>();
      }
    }
    if (j.contains("tags") && j["tags"].is_array()) {
      for (const auto& t : j["tags"]) {
        if (t.is_string()) item.tags.push_back(t.get<std::string>());
      }
    }
    if (!j.contains("parts") || !j["parts"].is_object()) return bad("item " + item.id + " has no parts");
    for (const auto& [name, p] : j["parts"].items()) {
      if (!p.is_object()) return bad("a part is not an object");
      ItemPart part;
      part.name = name;
      AIRLOCK_TRY_ASSIGN(const std::string digest, text(p, "digest"));
      AIRLOCK_TRY_ASSIGN(part.blob, Sha256Digest::parse(digest).context("bundle manifest part"));
      AIRLOCK_TRY_ASSIGN(part.size, number(p, "size"));
      AIRLOCK_TRY_ASSIGN(part.media_type, text(p, "media_type"));
      const std::string member = member_name(part.blob, m.encrypted());
      if (m.volume) {
        AIRLOCK_TRY(place_part(m, p, member, names.count(member) > 0, "item " + item.id + " part " + name));
      } else if (names.count(member) == 0) {
        return bad("item " + item.id + " part " + name + " names a member the bundle does not list");
      }
      item.parts.push_back(std::move(part));
    }
    m.items.push_back(std::move(item));
  }
  if (m.volume) {
    // A volume's members are exactly those its parts place in it: none extra.
    for (const auto& member : m.members) {
      const auto v = m.member_volumes.find(member.name);
      if (v == m.member_volumes.end() || v->second != m.volume->index) {
        return bad("member '" + member.name + "' is not named by any part of volume " + std::to_string(m.volume->index));
      }
    }
  }
  return m;
}

std::string serialize_signature(const PublicKey& key, const Signature& signature) {
  return nlohmann::ordered_json{{"algorithm", "ed25519"}, {"key_id", key.key_id()}, {"signature", to_base64(signature)}}.dump() + "\n";
}

Result<ParsedSignature> parse_signature(std::string_view bytes) {
  if (bytes.size() > 4096) return Error(ErrorCode::verification, "manifest.sig is too large to be a signature");
  const auto doc = nlohmann::json::parse(bytes, nullptr, false);
  if (!doc.is_object()) return Error(ErrorCode::verification, "manifest.sig is not JSON");
  AIRLOCK_TRY_ASSIGN(const std::string algorithm, text(doc, "algorithm").context("manifest.sig"));
  if (algorithm != "ed25519") return Error(ErrorCode::verification, "manifest.sig: unknown algorithm '" + algorithm.substr(0, 40) + "'");
  ParsedSignature out;
  AIRLOCK_TRY_ASSIGN(out.key_id, text(doc, "key_id").context("manifest.sig"));
  AIRLOCK_TRY_ASSIGN(const std::string sig, text(doc, "signature").context("manifest.sig"));
  auto bytes_sig = from_base64(sig);
  if (!bytes_sig || bytes_sig->size() != 64) return Error(ErrorCode::verification, "manifest.sig: the signature is not 64 bytes of base64");
  std::copy(bytes_sig->begin(), bytes_sig->end(), out.signature.begin());
  return out;
}

}  // namespace airlock
