#include "import/importer.hpp"

#include <algorithm>
#include <array>
#include <random>
#include <set>
#include <thread>

#include "base/hex.hpp"
#include "base/text.hpp"
#include "import/anchore_error.hpp"
#include "import/bundle_intake.hpp"
#include "import/imported_asset.hpp"

namespace airlock {

struct Importer::Work {
  const Item* item = nullptr;
  const BundleOutcome* bundle = nullptr;
  TrustedKey signer;
  std::optional<LedgerEntry> entry;  // as the ledger had it when the run began
};

struct Importer::Resolution {
  std::string app_id, version_id;
  std::string note;  // e.g. what a dry run would create
};

namespace {

std::string random_boundary() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::array<std::uint8_t, 16> bytes{};
  for (auto& b : bytes) b = static_cast<std::uint8_t>(rng());
  return "airlock-" + to_hex(bytes);
}

bool is_terminal(std::string_view state) { return state == "complete" || state == "failed" || state == "cancelled"; }

}  // namespace

ExitCode ImportReport::exit_code() const {
  std::size_t ok = 0, refused = 0, failed = 0;
  for (const auto& i : items) {
    if (i.ok()) {
      ++ok;
    } else if (i.state == "refused") {
      ++refused;
    } else {
      ++failed;
    }
  }
  std::size_t bad_bundles = 0, verification = 0, usage = 0;
  for (const auto& b : bundles) {
    if (!b.error.empty()) {
      ++bad_bundles;
      if (b.error_code == ErrorCode::verification) ++verification;
      if (b.error_code == ErrorCode::usage) ++usage;
    }
  }
  if (refused == 0 && failed == 0 && bad_bundles == 0) return ExitCode::success;
  if (ok > 0) return ExitCode::partial;
  if (refused == 0 && failed == 0 && bad_bundles == usage) return ExitCode::usage;  // e.g. no --key for a sealed bundle
  if (failed == 0 && bad_bundles == verification) return ExitCode::verification;  // only trust refused
  if (unauthorized) return ExitCode::operational;
  return failed > 0 || bad_bundles > verification ? ExitCode::operational : ExitCode::verification;
}

Receipt receipt_for(const ImportReport& report, std::string receipt_id) {
  Receipt receipt;
  receipt.receipt_id = std::move(receipt_id);
  receipt.created = utc_now_rfc3339();
  for (const auto& b : report.bundles) {
    if (b.verified && b.error.empty()) receipt.bundle_ids.push_back(b.bundle_id);
  }
  for (const auto& i : report.items) receipt.items.push_back({i.producer, i.item_id, i.bundle_id, i.state, i.job_id});
  return receipt;
}

Status Importer::record(LedgerEntry& entry, std::string_view state) {
  entry.state = state;
  entry.updated = utc_now_rfc3339();
  return m_state.put_entry(entry);
}

ImportReport Importer::run(const std::vector<std::filesystem::path>& paths) {
  ImportReport report;
  m_deadline = m_clock.now() + m_options.wait_timeout;
  clear_staging(m_state);
  std::vector<TakenBundle> taken;
  for (const auto& input : group_bundle_inputs(paths)) {  // a bundle, or the volumes of one split bundle
    BundleOutcome b;
    b.path = input.name();
    m_progress.begin("verifying " + input.label(), 0);
    auto result = take_bundle(input, m_state, m_options.decryption_key);
    m_progress.end();
    if (!result) {
      b.error = result.error().message();
      b.error_code = result.error().code();
      report.bundles.push_back(std::move(b));
      continue;
    }
    const BundleManifest& m = result->bundle.manifest;
    b.verified = true;
    b.bundle_id = m.bundle_id;
    b.producer = m.producer_key_id;
    b.signer = result->signer.name;
    b.destination = m.destination;
    b.sequence = m.sequence;
    auto seen = m_state.bundle(m.bundle_id);
    b.already_seen = seen && seen->has_value();
    auto sequences = m_state.sequences(m.producer_key_id, m.destination);
    if (sequences) {
      for (std::int64_t s = 1; s < m.sequence; ++s) {
        if (!std::binary_search(sequences->begin(), sequences->end(), s)) b.missing.push_back(s);
      }
    }
    if (!b.missing.empty() && m_options.require_contiguous) {
      b.error = b.path + ": sequence " + std::to_string(m.sequence) + " from producer '" + b.signer +
                "' arrives before " + std::to_string(b.missing.size()) + " earlier bundle(s) (first missing: " +
                std::to_string(b.missing.front()) + "); import those first, or drop --require-contiguous";
      b.error_code = ErrorCode::verification;
      report.bundles.push_back(std::move(b));
      continue;
    }
    if (!m_options.dry_run) {
      const Status recorded = m_state.record_bundle(
          {m.bundle_id, m.producer_key_id, m.destination, result->bundle.manifest_hash.oci(), b.path, utc_now_rfc3339(),
           m.sequence});
      if (!recorded) {
        b.error = recorded.error().message();
        b.error_code = recorded.error().code();
        report.bundles.push_back(std::move(b));
        continue;
      }
    }
    report.bundles.push_back(std::move(b));
    taken.push_back(std::move(*result));
  }

  // One work entry per item; an item in two bundles (exported again with
  // --all) is one item to the ledger.
  std::vector<Work> work;
  std::set<std::pair<std::string, std::string>> queued;
  std::size_t bundle_index = 0;
  for (const auto& t : taken) {
    while (report.bundles[bundle_index].bundle_id != t.bundle.manifest.bundle_id) ++bundle_index;
    for (const auto& item : t.bundle.manifest.items) {
      if (!queued.emplace(t.bundle.manifest.producer_key_id, item.id).second) continue;
      Work w;
      w.item = &item;
      w.bundle = &report.bundles[bundle_index];
      w.signer = t.signer;
      work.push_back(std::move(w));
    }
  }
  report.items.resize(work.size());
  const auto allowed = std::find_if(work.begin(), work.end(), [](const Work& w) { return w.signer.allows(w.item->account); });
  if (m_options.detect_api && allowed != work.end()) {
    auto available = m_apps.available(allowed->item->account);
    if (!available) {
      m_fatal = available.error();
    } else if (!*available) {
      m_fatal = Error(ErrorCode::unavailable, "the server answers 404 to GET /v2/apps: it looks like Anchore Enterprise "
                                              "5.x, whose imports API mode airlock does not have yet (docs/status.md)");
    }
    if (m_fatal && m_fatal->code() == ErrorCode::unauthorized && m_fatal->message().find("HTTP 401") != std::string::npos) {
      m_unauthorized = true;
    }
  }
  m_progress.begin(m_options.dry_run ? "checking" : "importing", work.size());
  std::atomic<std::size_t> next{0};
  std::mutex progress_mutex;
  const auto worker = [&] {
    for (std::size_t i = next++; i < work.size(); i = next++) {
      process(work[i], report.items[i]);
      std::lock_guard lock(progress_mutex);
      m_progress.advance(1);
    }
  };
  const int threads = std::clamp<int>(m_options.concurrency, 1, 64);
  std::vector<std::thread> pool;
  for (int t = 1; t < threads && static_cast<std::size_t>(t) < work.size(); ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  m_progress.end();
  report.unauthorized = m_unauthorized;
  return report;
}

void Importer::process(Work& work, ItemOutcome& outcome) {
  const Item& item = *work.item;
  outcome.producer = work.bundle->producer;
  outcome.bundle_id = work.bundle->bundle_id;
  outcome.item_id = item.id;
  outcome.account = item.account;
  outcome.app = item.app;
  outcome.version = item.version;
  outcome.asset = item.asset;
  outcome.image_reference = item.image_reference;
  if (!work.signer.allows(item.account)) {
    outcome.state = "refused";
    outcome.message = "key '" + work.signer.name + "' is not trusted for account '" + item.account +
                      "' (`airlock trust ls`); nothing of this item was sent";
    return;
  }
  if (m_fatal) {
    outcome.state = "error";
    outcome.message = m_fatal->message();
    return;
  }
  if (m_unauthorized) {
    outcome.state = "error";
    outcome.message = "not attempted: the server refused the credentials";
    return;
  }
  auto existing = m_state.entry(work.bundle->producer, item.id);
  if (!existing) {
    outcome.state = "error";
    outcome.message = existing.error().message();
    return;
  }
  LedgerEntry entry;
  if (existing->has_value()) {
    entry = **existing;
    outcome.job_id = entry.job_id;
    if (is_terminal(entry.state) || (entry.state == "submitted" && !m_options.wait) ||
        (m_options.dry_run && entry.state != "error")) {
      outcome.state = entry.state;
      outcome.earlier = true;
      outcome.message = entry.message.empty() ? "done by an earlier import" : entry.message;
      return;
    }
    if (entry.state == "submitted") {  // --wait: follow the job an earlier run started
      outcome.earlier = true;
      poll(item, outcome, entry);
      return;
    }
  } else {
    entry.producer = work.bundle->producer;
    entry.item_id = item.id;
    entry.bundle_id = work.bundle->bundle_id;
    entry.account = item.account;
    entry.app = item.app;
    entry.version = item.version;
    entry.asset = item.asset;
  }
  auto where = resolve(item);
  if (!where) {
    outcome.state = "error";
    outcome.message = where.error().message();
    if (where.error().code() == ErrorCode::unauthorized && where.error().message().find("HTTP 401") != std::string::npos) {
      m_unauthorized = true;
    }
    if (!m_options.dry_run && !entry.state.empty() && entry.state != "intent") {
      entry.message = outcome.message;
      static_cast<void>(record(entry, "error"));
    }
    return;
  }
  if (m_options.dry_run) {
    outcome.state = "would-submit";
    outcome.message = where->note;
    return;
  }
  entry.app_id = where->app_id;
  entry.version_id = where->version_id;
  if (const Status s = submit(work, *where, outcome, entry); !s) {
    outcome.state = "error";
    outcome.message = s.error().message();
    if (s.error().code() == ErrorCode::unauthorized && s.error().message().find("HTTP 401") != std::string::npos) {
      m_unauthorized = true;
    }
    // An unknown outcome keeps its intent, so the next run looks first.
    if (entry.state != "intent") {
      entry.message = outcome.message;
      static_cast<void>(record(entry, "error"));
    }
    return;
  }
  if (m_options.wait && entry.state == "submitted") poll(item, outcome, entry);
}

Result<Importer::Resolution> Importer::resolve(const Item& item) {
  std::lock_guard lock(m_resolve_mutex);
  Resolution where;
  const std::string app_key = item.account + '\n' + item.app;
  if (!m_ids.contains(app_key)) {
    AIRLOCK_TRY_ASSIGN(m_ids[app_key], m_apps.find_app(item.account, item.app));
  }
  if (!m_ids[app_key]) {
    if (!m_options.create_missing) {
      return Error(ErrorCode::not_found, "app '" + item.app + "' does not exist in account '" + item.account +
                                             "'; create it in Anchore, or pass --create-missing");
    }
    if (m_options.dry_run) {
      where.note = "would create app '" + item.app + "' and version '" + item.version + "'";
      return where;
    }
    AIRLOCK_TRY_ASSIGN(m_ids[app_key], m_apps.create_app(item.account, item.app, m_options.app_contact));
  }
  where.app_id = *m_ids[app_key];
  const std::string version_key = app_key + '\n' + item.version;
  if (!m_ids.contains(version_key)) {
    AIRLOCK_TRY_ASSIGN(m_ids[version_key], m_apps.find_version(item.account, where.app_id, item.version));
  }
  if (!m_ids[version_key]) {
    if (!m_options.create_missing) {
      return Error(ErrorCode::not_found, "version '" + item.version + "' of app '" + item.app +
                                             "' does not exist in account '" + item.account +
                                             "'; create it in Anchore, or pass --create-missing");
    }
    if (m_options.dry_run) {
      where.note = "would create version '" + item.version + "'";
      return where;
    }
    AIRLOCK_TRY_ASSIGN(m_ids[version_key], m_apps.create_version(item.account, where.app_id, item.version));
  }
  where.version_id = *m_ids[version_key];
  return where;
}

Result<std::optional<AnchoreJob>> Importer::reconcile(const Item& item, const Resolution& where, ItemOutcome& outcome,
                                                      LedgerEntry& entry) {
  AIRLOCK_TRY_ASSIGN(const auto asset, m_apps.find_asset(item.account, where.app_id, where.version_id, item.asset));
  if (asset) {
    entry.message = "already in Anchore as asset " + *asset + "; not sent again";
    outcome.message = entry.message;
    AIRLOCK_TRY(record(entry, "complete"));
    outcome.state = "complete";
    AnchoreJob job;
    job.id = entry.job_id;
    job.status = "complete";
    return std::optional<AnchoreJob>(job);
  }
  AIRLOCK_TRY_ASSIGN(const auto job, m_apps.find_live_job(item.account, where.app_id, where.version_id, item.asset));
  if (job) {
    entry.job_id = job->id;
    entry.message = "job " + job->id + " from an unacknowledged submission adopted; not sent again";
    outcome.message = entry.message;
    outcome.job_id = job->id;
    AIRLOCK_TRY(record(entry, "submitted"));
    outcome.state = "submitted";
  }
  return job;
}

Status Importer::submit(Work& work, const Resolution& where, ItemOutcome& outcome, LedgerEntry& entry) {
  const Item& item = *work.item;
  // An intent left by an earlier run: the job may exist. Look before sending.
  if (entry.state == "intent") {
    AIRLOCK_TRY_ASSIGN(const auto found, reconcile(item, where, outcome, entry));
    if (found) return {};
  }
  for (int attempt = 0;; ++attempt) {
    entry.job_id.clear();
    entry.message.clear();
    AIRLOCK_TRY(record(entry, "intent"));
    const MultipartBody body = imported_asset_body(item, where.version_id, m_state.blobs(), random_boundary());
    auto reply = m_apps.submit(item.account, where.app_id, k_imported_asset_job, body);
    if (!reply) {
      if (reply.error().code() != ErrorCode::unavailable) return reply.error();
      // No answer: the job may or may not exist.
      AIRLOCK_TRY_ASSIGN(const auto found, reconcile(item, where, outcome, entry));
      if (found) return {};
      if (attempt >= m_options.resubmits) return reply.error();
      m_clock.sleep_for(std::chrono::milliseconds(200 << std::min(attempt, 6)));
      continue;
    }
    if (reply->status == 409) {
      AIRLOCK_TRY_ASSIGN(const auto found, reconcile(item, where, outcome, entry));
      if (found) return {};
      return anchore_http_error(reply->status, reply->body, "submitting " + item.asset);
    }
    if (!reply->ok()) {
      Error error = anchore_http_error(reply->status, reply->body, "submitting " + item.asset);
      // A refusal (4xx) or exhausted retries: the job was not created.
      entry.message = error.message();
      AIRLOCK_TRY(record(entry, "error"));
      return error;
    }
    AIRLOCK_TRY_ASSIGN(const nlohmann::json json, reply->json("submitting " + item.asset));
    AIRLOCK_TRY_ASSIGN(const AnchoreJob job, parse_anchore_job(json, "submitting " + item.asset));
    entry.job_id = job.id;
    entry.message = job.warning;
    AIRLOCK_TRY(record(entry, "submitted"));
    outcome.state = "submitted";
    outcome.job_id = job.id;
    outcome.message = job.warning;
    outcome.sent = true;
    return {};
  }
}

void Importer::poll(const Item& item, ItemOutcome& outcome, LedgerEntry& entry) {
  outcome.state = "submitted";
  outcome.job_id = entry.job_id;
  if (entry.job_id.empty()) return;  // adopted from an existing asset: nothing to follow
  auto delay = m_options.poll_interval;
  for (;;) {
    auto job = m_apps.get_job(item.account, entry.app_id, entry.job_id);
    if (!job) {
      outcome.message = "could not follow job " + entry.job_id + ": " + job.error().message() +
                        "; the next import --wait follows it again";
      return;
    }
    if (job->terminal()) {
      entry.message = job->failure_reason;
      static_cast<void>(record(entry, job->status));
      outcome.state = job->status;
      outcome.message = job->failure_reason;
      return;
    }
    if (m_clock.now() + delay > m_deadline) {
      outcome.message = "job " + entry.job_id + " still " + job->status +
                        " at --wait-timeout; the next import --wait follows it";
      return;
    }
    m_clock.sleep_for(delay);
    delay = std::min(m_options.poll_max, std::chrono::milliseconds(delay.count() * 3 / 2));
  }
}

}  // namespace airlock
