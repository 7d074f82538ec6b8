#include "import/importer.hpp"

#include <algorithm>
#include <set>
#include <thread>

#include "base/text.hpp"

namespace airlock {

struct Importer::Work {
  const Item* item = nullptr;
  const BundleOutcome* bundle = nullptr;
  TrustedKey signer;
};

namespace {

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

Importer::Importer(ImportState& state, AnchoreClient& client, Clock& clock, ImportOptions options,
                   Progress& progress)
    : m_state(state), m_clock(clock), m_options(std::move(options)), m_progress(progress), m_apps(client),
      m_images(client), m_asset_jobs(m_apps, state.blobs(), {m_options.create_missing, m_options.app_contact}),
      m_image_imports(m_images, state.blobs()) {}

Status Importer::record(LedgerEntry& entry, std::string_view state) {
  entry.state = state;
  entry.updated = utc_now_rfc3339();
  return m_state.put_entry(entry);
}

void Importer::note_unauthorized(const Error& error) {
  // A 401 will be the same for every item: stop asking. (A 403 is per account.)
  if (error.code() == ErrorCode::unauthorized && error.message().find("HTTP 401") != std::string::npos) {
    m_unauthorized = true;
  }
}

ImportReport Importer::run(const std::vector<std::filesystem::path>& paths) {
  ImportReport report;
  m_deadline = m_clock.now() + m_options.wait_timeout;
  std::vector<TakenBundle> taken;
  std::vector<Work> work = take_bundles(paths, report, taken);
  report.items.resize(work.size());
  choose_api(work, report);
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

std::vector<Importer::Work> Importer::take_bundles(const std::vector<std::filesystem::path>& paths,
                                                   ImportReport& report, std::vector<TakenBundle>& taken) {
  clear_staging(m_state);
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
  return work;
}

void Importer::choose_api(const std::vector<Work>& work, ImportReport& report) {
  if (m_options.api == AnchoreApi::v5) {
    m_submission = &m_image_imports;
    report.api = "v5";
    return;
  }
  m_submission = &m_asset_jobs;
  if (m_options.api == AnchoreApi::v6) {
    report.api = "v6";
    return;
  }
  // Asked in the first item's account, once: a bad or refused bundle never causes a request.
  const auto allowed = std::find_if(work.begin(), work.end(), [](const Work& w) { return w.signer.allows(w.item->account); });
  if (allowed == work.end()) return;
  auto available = m_apps.available(allowed->item->account);
  if (!available) {
    m_fatal = available.error();
    note_unauthorized(*m_fatal);
    return;
  }
  if (*available) {
    report.api = "v6";
    return;
  }
  m_submission = &m_image_imports;
  report.api = "v5";
  report.notices.push_back(
      "the server answers 404 to GET /v2/apps: Anchore Enterprise 5.x, which has no apps; importing each item as an "
      "image through the 5.x imports API (app, version and asset go to the report only; --api v5 skips this check)");
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
    outcome.message = item.account.empty()
                          ? "the item has no account (it would land in the importing user's own account), and key '" +
                                work.signer.name + "' is not trusted for every account ('*'); nothing of it was sent"
                          : "key '" + work.signer.name + "' is not trusted for account '" + item.account +
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
    if (entry.state == "submitted") {  // --wait: follow what an earlier run submitted
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
  auto target = m_submission->resolve(item, m_options.dry_run);
  if (!target) {
    outcome.state = "error";
    outcome.message = target.error().message();
    note_unauthorized(target.error());
    if (!m_options.dry_run && !entry.state.empty() && entry.state != "intent") {
      entry.message = outcome.message;
      static_cast<void>(record(entry, "error"));
    }
    return;
  }
  if (m_options.dry_run) {
    outcome.state = "would-submit";
    outcome.message = target->note;
    return;
  }
  entry.app_id = target->app_id;
  entry.version_id = target->version_id;
  if (const Status s = submit(item, *target, outcome, entry); !s) {
    outcome.state = "error";
    outcome.message = s.error().message();
    note_unauthorized(s.error());
    // An unknown outcome keeps its intent, so the next run looks first.
    if (entry.state != "intent") {
      entry.message = outcome.message;
      static_cast<void>(record(entry, "error"));
    }
    return;
  }
  if (m_options.wait && entry.state == "submitted") poll(item, outcome, entry);
}

Result<bool> Importer::adopt_existing(const Item& item, ItemOutcome& outcome, LedgerEntry& entry) {
  AIRLOCK_TRY_ASSIGN(const auto found, m_submission->find_existing(item, entry));
  if (!found) return false;
  entry.job_id = found->job_id;
  entry.message = found->message;
  AIRLOCK_TRY(record(entry, found->state));
  outcome.state = found->state;
  outcome.job_id = found->job_id;
  outcome.message = found->message;
  return true;
}

Status Importer::submit(const Item& item, const SubmitTarget& target, ItemOutcome& outcome, LedgerEntry& entry) {
  // An intent left by an earlier run: the item may be on the server. Look before sending.
  if (entry.state == "intent") {
    AIRLOCK_TRY_ASSIGN(const bool adopted, adopt_existing(item, outcome, entry));
    if (adopted) return {};
  }
  for (int attempt = 0;; ++attempt) {
    entry.job_id.clear();
    entry.message.clear();
    AIRLOCK_TRY(record(entry, "intent"));
    AIRLOCK_TRY_ASSIGN(const SendOutcome sent, m_submission->send(item, target));
    if (sent.kind == SendOutcome::Kind::accepted) {
      entry.job_id = sent.job_id;
      entry.message = sent.message;
      AIRLOCK_TRY(record(entry, "submitted"));
      outcome.state = "submitted";
      outcome.job_id = sent.job_id;
      outcome.message = sent.message;
      outcome.sent = true;
      return {};
    }
    if (sent.kind == SendOutcome::Kind::refused) {
      // Nothing was created: the next run may send it again.
      entry.message = sent.error->message();
      AIRLOCK_TRY(record(entry, "error"));
      return *sent.error;
    }
    // No answer, or a 409: it may exist. Look; send again only if it does not.
    AIRLOCK_TRY_ASSIGN(const bool adopted, adopt_existing(item, outcome, entry));
    if (adopted) return {};
    if (sent.kind == SendOutcome::Kind::conflict || attempt >= m_options.resubmits) return *sent.error;
    m_clock.sleep_for(std::chrono::milliseconds(200 << std::min(attempt, 6)));
  }
}

void Importer::poll(const Item& item, ItemOutcome& outcome, LedgerEntry& entry) {
  outcome.state = "submitted";
  outcome.job_id = entry.job_id;
  if (entry.job_id.empty()) return;  // adopted from an existing asset: nothing to follow
  auto delay = m_options.poll_interval;
  for (;;) {
    auto remote = m_submission->state_of(item, entry);
    if (!remote) {
      outcome.message = "could not follow " + m_submission->describe(entry) + ": " + remote.error().message() +
                        "; the next import --wait follows it again";
      return;
    }
    if (remote->ended()) {
      entry.message = remote->message;
      static_cast<void>(record(entry, remote->state));
      outcome.state = remote->state;
      outcome.message = remote->message;
      return;
    }
    if (m_clock.now() + delay > m_deadline) {
      outcome.message = m_submission->describe(entry) + " still " + remote->server_status +
                        " at --wait-timeout; the next import --wait follows it";
      return;
    }
    m_clock.sleep_for(delay);
    delay = std::min(m_options.poll_max, std::chrono::milliseconds(delay.count() * 3 / 2));
  }
}

}  // namespace airlock
