#include "analyze/registry_source.hpp"

#include <atomic>
#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "base/file.hpp"
#include "base/text.hpp"
#include "crypto/base64.hpp"

namespace airlock {

namespace {

constexpr std::size_t k_max_error_body = 64 * 1024;
constexpr std::string_view k_manifest_accept =
    "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, "
    "application/vnd.docker.distribution.manifest.list.v2+json, "
    "application/vnd.docker.distribution.manifest.v2+json";

std::optional<std::string> unbase64(std::string_view text) {
  auto bytes = from_base64(text);
  if (!bytes) return std::nullopt;
  return std::string(bytes->begin(), bytes->end());
}

// "https://index.docker.io/v1/" → "index.docker.io"; "host:5000/x" → "host:5000".
std::string auth_key_host(std::string key) {
  if (auto p = key.find("://"); p != std::string::npos) key = key.substr(p + 3);
  if (auto slash = key.find('/'); slash != std::string::npos) key = key.substr(0, slash);
  return key;
}

bool same_registry(std::string_view key_host, std::string_view host) {
  if (key_host == host) return true;
  const auto is_hub = [](std::string_view h) {
    return h == "docker.io" || h == "index.docker.io" || h == "registry-1.docker.io";
  };
  return is_hub(key_host) && is_hub(host);
}

// Parses `Bearer realm="…",service="…",scope="…"`.
std::map<std::string, std::string> parse_challenge(std::string_view header, std::string& scheme) {
  std::map<std::string, std::string> params;
  const auto space = header.find(' ');
  scheme = std::string(header.substr(0, space));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](unsigned char c) { return std::tolower(c); });
  if (space == std::string_view::npos) return params;
  std::string_view rest = header.substr(space + 1);
  while (!rest.empty()) {
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == ',')) rest.remove_prefix(1);
    const auto eq = rest.find('=');
    if (eq == std::string_view::npos) break;
    std::string key(rest.substr(0, eq));
    rest.remove_prefix(eq + 1);
    std::string value;
    if (!rest.empty() && rest.front() == '"') {
      const auto end = rest.find('"', 1);
      value = rest.substr(1, end == std::string_view::npos ? std::string_view::npos : end - 1);
      rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
    } else {
      const auto end = rest.find(',');
      value = rest.substr(0, end);
      rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
    }
    params[key] = value;
  }
  return params;
}

std::string url_encode(std::string_view text) { return percent_encode(text, "-_.~"); }

// The registry's own words from an error body ({"errors":[{"code","message"}]}).
std::string registry_error_text(HttpResponse& response) {
  auto body = response.read_body(k_max_error_body);
  if (!body || body->empty()) return "";
  const auto doc = nlohmann::json::parse(*body, nullptr, false);
  if (doc.is_object() && doc.contains("errors") && doc["errors"].is_array() && !doc["errors"].empty()) {
    const auto& e = doc["errors"][0];
    std::string out;
    if (e.contains("code") && e["code"].is_string()) out += e["code"].get<std::string>();
    if (e.contains("message") && e["message"].is_string()) out += ": " + e["message"].get<std::string>();
    return out;
  }
  return body->substr(0, 200);
}

class RegistryClient {
 public:
  RegistryClient(std::shared_ptr<HttpClient> http, ImageReference ref, RegistryOptions options)
      : m_http(std::move(http)), m_ref(std::move(ref)), m_options(std::move(options)) {
    m_host = m_ref.registry == "docker.io" ? "registry-1.docker.io" : m_ref.registry;
    const auto host_only = m_ref.registry.substr(0, m_ref.registry.rfind(':') == std::string::npos ? std::string::npos : m_ref.registry.rfind(':'));
    m_insecure = is_loopback_host(host_only);
    for (const auto& h : m_options.insecure_hosts) {
      if (h == m_ref.registry || h == host_only) m_insecure = true;
    }
  }

  // GET /v2/<repository>/<path>, with auth, scheme fallback and retries.
  Result<std::unique_ptr<HttpResponse>> get(const std::string& path, std::string_view accept,
                                            std::string_view what) {
    int attempt = 0;
    bool authenticated_now = false;
    for (;;) {
      HttpRequest request;
      request.url = scheme() + "://" + m_host + "/v2/" + m_ref.repository + "/" + path;
      if (!accept.empty()) request.headers.emplace_back("Accept", std::string(accept));
      {
        std::lock_guard lock(m_mutex);
        if (!m_authorization.empty()) request.headers.emplace_back("Authorization", m_authorization);
      }
      request.verify_tls = !m_insecure;
      auto sent = m_http->send(request);
      if (!sent) {
        if (m_insecure && !m_scheme_decided && scheme() == "https") {
          std::lock_guard lock(m_mutex);
          m_scheme = "http";  // a loopback or insecure registry without TLS
          continue;
        }
        return sent.error().with_context("registry " + m_ref.registry);
      }
      m_scheme_decided = true;
      auto response = std::move(*sent);
      const long status = response->status();
      if (status == 200) return response;
      if (status == 401 && !authenticated_now) {
        AIRLOCK_TRY(authenticate(*response));
        authenticated_now = true;
        continue;
      }
      if ((status == 429 || status >= 500) && attempt < m_options.retries) {
        ++attempt;
        auto wait = m_options.retry_base * (1L << attempt);
        if (auto after = response->header("retry-after")) {
          wait = std::chrono::milliseconds(std::clamp(std::atol(after->c_str()), 0L, 10L) * 1000L);
        }
        std::this_thread::sleep_for(wait);
        continue;
      }
      const std::string detail = registry_error_text(*response);
      const std::string where = std::string(what) + " of " + m_ref.to_string();
      const std::string suffix = detail.empty() ? "" : " (" + detail + ")";
      switch (status) {
        case 401:
        case 403:
          return Error(ErrorCode::unauthorized,
                       "registry " + m_ref.registry + " refused access to " + where + ": HTTP " +
                           std::to_string(status) + suffix +
                           "; log in (skopeo login / docker login) or set REGISTRY_AUTH_FILE");
        case 404:
          return Error(ErrorCode::not_found, where + " is not in registry " + m_ref.registry + suffix);
        default:
          return Error(ErrorCode::unavailable, "registry " + m_ref.registry + " answered HTTP " +
                                                   std::to_string(status) + " for " + where + suffix);
      }
    }
  }

  const ImageReference& reference() const { return m_ref; }

 private:
  std::string scheme() {
    std::lock_guard lock(m_mutex);
    return m_scheme;
  }

  Status authenticate(HttpResponse& challenge_response) {
    auto header = challenge_response.header("www-authenticate");
    AIRLOCK_TRY_ASSIGN(const auto credentials,
                       find_registry_credentials(m_options.auth_files, m_ref.registry));
    std::string scheme_name;
    const auto params = parse_challenge(header.value_or(""), scheme_name);
    if (scheme_name == "basic") {
      if (!credentials) {
        return Error(ErrorCode::unauthorized,
                     "registry " + m_ref.registry + " needs a user name and password; log in "
                     "(skopeo login / docker login) or set REGISTRY_AUTH_FILE");
      }
      std::lock_guard lock(m_mutex);
      m_authorization = "Basic " + to_base64(credentials->username + ":" + credentials->password);
      return {};
    }
    if (scheme_name != "bearer" || params.count("realm") == 0) {
      return Error(ErrorCode::unauthorized, "registry " + m_ref.registry +
                                                " asks for an authentication scheme airlock does not know: '" +
                                                header.value_or("(none)") + "'");
    }
    std::string url = params.at("realm");
    url += url.find('?') == std::string::npos ? "?" : "&";
    if (params.count("service")) url += "service=" + url_encode(params.at("service")) + "&";
    url += "scope=" + url_encode(params.count("scope") ? params.at("scope")
                                                        : "repository:" + m_ref.repository + ":pull");
    HttpRequest request;
    request.url = url;
    request.verify_tls = !m_insecure;
    if (credentials) {
      request.headers.emplace_back("Authorization",
                                   "Basic " + to_base64(credentials->username + ":" + credentials->password));
    }
    AIRLOCK_TRY_ASSIGN(auto response, m_http->send(request));
    if (response->status() != 200) {
      return Error(ErrorCode::unauthorized, "the token service of registry " + m_ref.registry +
                                                " answered HTTP " + std::to_string(response->status()) +
                                                (credentials ? " (check the stored credentials)" : " (log in first)"));
    }
    AIRLOCK_TRY_ASSIGN(const std::string body, response->read_body(k_max_error_body));
    const auto doc = nlohmann::json::parse(body, nullptr, false);
    std::string token;
    if (doc.is_object() && doc.contains("token") && doc["token"].is_string()) token = doc["token"];
    if (token.empty() && doc.is_object() && doc.contains("access_token") && doc["access_token"].is_string()) {
      token = doc["access_token"];
    }
    if (token.empty()) {
      return Error(ErrorCode::unauthorized, "the token service of registry " + m_ref.registry + " sent no token");
    }
    std::lock_guard lock(m_mutex);
    m_authorization = "Bearer " + token;
    return {};
  }

  std::shared_ptr<HttpClient> m_http;
  ImageReference m_ref;
  RegistryOptions m_options;
  std::string m_host;
  bool m_insecure = false;
  std::mutex m_mutex;  // layers are fetched from several threads
  std::string m_scheme = "https";
  std::atomic<bool> m_scheme_decided{false};
  std::string m_authorization;
};

class RegistryBlobs final : public BlobFetcher {
 public:
  explicit RegistryBlobs(std::shared_ptr<RegistryClient> client) : m_client(std::move(client)) {}
  Result<std::unique_ptr<ByteSource>> open_blob(const Descriptor& d) override {
    AIRLOCK_TRY_ASSIGN(auto response, m_client->get("blobs/" + d.digest.oci(), "", "blob " + d.digest.oci()));
    return std::unique_ptr<ByteSource>(new OwnedLimitedSource(std::move(response), d.size, "blob " + d.digest.oci()));
  }
  Result<std::unique_ptr<ByteSource>> open_manifest(const Descriptor& d) override {
    AIRLOCK_TRY_ASSIGN(auto response, m_client->get("manifests/" + d.digest.oci(), k_manifest_accept,
                                                    "manifest " + d.digest.oci()));
    return std::unique_ptr<ByteSource>(new OwnedLimitedSource(std::move(response), d.size, "manifest " + d.digest.oci()));
  }

 private:
  // Keeps the response alive behind the size limit.
  class OwnedLimitedSource final : public ByteSource {
   public:
    OwnedLimitedSource(std::unique_ptr<HttpResponse> response, std::uint64_t size, std::string name)
        : m_response(std::move(response)), m_limited(*m_response, size, std::move(name)) {}
    Result<std::size_t> read(std::span<std::uint8_t> buffer) override { return m_limited.read(buffer); }

   private:
    std::unique_ptr<HttpResponse> m_response;
    LimitedSource m_limited;
  };
  std::shared_ptr<RegistryClient> m_client;
};

}  // namespace

Result<std::optional<RegistryCredentials>> find_registry_credentials(
    const std::vector<std::filesystem::path>& files, std::string_view host) {
  for (const auto& file : files) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) continue;
    AIRLOCK_TRY_ASSIGN(const std::string text, read_small_file(file, 4 * 1024 * 1024));
    const auto doc = nlohmann::json::parse(text, nullptr, false);
    if (!doc.is_object()) {
      return Error(ErrorCode::invalid_input, "credential file " + file.string() + " is not a JSON object");
    }
    if (!doc.contains("auths") || !doc["auths"].is_object()) continue;
    for (const auto& [key, entry] : doc["auths"].items()) {
      if (!same_registry(auth_key_host(key), host) || !entry.is_object()) continue;
      if (entry.contains("auth") && entry["auth"].is_string()) {
        auto decoded = unbase64(entry["auth"].get<std::string>());
        const auto colon = decoded ? decoded->find(':') : std::string::npos;
        if (!decoded || colon == std::string::npos) {
          return Error(ErrorCode::invalid_input, "credential file " + file.string() + ": the entry for " +
                                                     key + " is not base64 of user:password");
        }
        return std::optional<RegistryCredentials>(RegistryCredentials{decoded->substr(0, colon), decoded->substr(colon + 1)});
      }
      if (entry.contains("username") && entry.contains("password") && entry["username"].is_string() &&
          entry["password"].is_string()) {
        return std::optional<RegistryCredentials>(
            RegistryCredentials{entry["username"].get<std::string>(), entry["password"].get<std::string>()});
      }
    }
  }
  return std::optional<RegistryCredentials>();
}

Result<std::unique_ptr<ImageSource>> open_registry_image(std::shared_ptr<HttpClient> http,
                                                         const ImageReference& reference,
                                                         const RegistryOptions& options,
                                                         const std::optional<Platform>& platform) {
  auto client = std::make_shared<RegistryClient>(std::move(http), reference, options);
  AIRLOCK_TRY_ASSIGN(auto response, client->get("manifests/" + reference.version(), k_manifest_accept, "manifest"));
  AIRLOCK_TRY_ASSIGN(const std::string body, response->read_body(k_max_document_bytes));
  const Sha256Digest digest = sha256(body);
  if (!reference.digest.empty() && digest.oci() != reference.digest) {
    return Error(ErrorCode::verification, "registry " + reference.registry + " sent a manifest for " +
                                              reference.to_string() + " whose digest is " + digest.oci());
  }
  std::string type = response->header("content-type").value_or("");
  type = type.substr(0, type.find(';'));
  if (!is_index_media_type(type) && !is_manifest_media_type(type)) type.clear();  // detect from the body
  auto blobs = std::make_shared<RegistryBlobs>(client);
  const std::string source = "registry:" + reference.to_string();
  AIRLOCK_TRY_ASSIGN(ImageMetadata meta, resolve_image(*blobs, body, type, digest, platform, source));
  meta.source = source;
  if (!reference.tag.empty()) meta.tags.push_back(reference.name() + ":" + reference.tag);
  meta.repo_digests.push_back(reference.name() + "@" + meta.manifest_digest.oci());
  return std::unique_ptr<ImageSource>(new FetchedImageSource(std::move(blobs), std::move(meta)));
}

}  // namespace airlock
