// airlock ls, rm, gc, store check: looking after the isolated side's store.
#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/commands/commands.hpp"
#include "cli/terminal_progress.hpp"
#include "store/store.hpp"

namespace airlock::cli {

namespace {

Result<std::unique_ptr<Store>> open_store(const CommandContext& ctx) {
  AIRLOCK_TRY_ASSIGN(const Config config, load_config(ctx));
  return Store::open(config.get("store").value_or("./airlock-store"), Store::Open::existing);
}

Status run_ls(CommandContext& ctx) {
  AIRLOCK_TRY_ASSIGN(auto store, open_store(ctx));
  AIRLOCK_TRY_ASSIGN(const auto items, store->list_items());
  if (ctx.out.json()) {
    auto doc = nlohmann::ordered_json::array();
    for (const auto& i : items) {
      auto parts = nlohmann::ordered_json::object();
      for (const auto& p : i.parts) parts[p.name] = {{"digest", p.blob.oci()}, {"size", p.size}, {"media_type", p.media_type}};
      doc.push_back({{"id", i.id}, {"state", i.state}, {"account", i.account}, {"app", i.app}, {"version", i.version},
                     {"asset", i.asset}, {"type", i.asset_type}, {"image_reference", i.image_reference},
                     {"image_digest", i.image_digest}, {"platform", i.platform}, {"packages", i.package_count},
                     {"annotations", i.annotations}, {"created", i.created}, {"size", i.total_size()}, {"parts", parts}});
    }
    ctx.out.result() << doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
    return {};
  }
  if (items.empty()) {
    ctx.out.info("the store holds no items");
    return {};
  }
  ctx.out.result() << "ID                STATE         APP/VERSION/ASSET                         PACKAGES  SIZE       IMAGE\n";
  for (const auto& i : items) {
    std::string where = i.app + "/" + i.version + "/" + i.asset;
    if (!i.account.empty()) where = i.account + ":" + where;
    char line[512];
    std::snprintf(line, sizeof line, "%-16s  %-12s  %-40s  %8lld  %-9s  %s\n", i.id.c_str(), i.state.c_str(),
                  where.c_str(), static_cast<long long>(i.package_count), human_bytes(i.total_size()).c_str(),
                  i.image_reference.c_str());
    ctx.out.result() << line;
  }
  return {};
}

Status run_rm(CommandContext& ctx) {
  AIRLOCK_TRY_ASSIGN(auto store, open_store(ctx));
  for (const auto& id : ctx.args["item"].as<std::vector<std::string>>()) {
    AIRLOCK_TRY_ASSIGN(const Item item, store->get_item(id));
    AIRLOCK_TRY(store->remove_item(item.id));
    ctx.out.result() << item.id << '\n';
  }
  ctx.out.info("run 'airlock gc' to free the space of blobs no item uses any more");
  return {};
}

Status run_gc(CommandContext& ctx) {
  AIRLOCK_TRY_ASSIGN(auto store, open_store(ctx));
  AIRLOCK_TRY_ASSIGN(const GcReport report, store->gc());
  if (ctx.out.json()) {
    ctx.out.result() << nlohmann::ordered_json{{"removed", report.removed}, {"freed_bytes", report.freed_bytes}}.dump(2) << '\n';
  } else {
    ctx.out.result() << "removed " << report.removed << " unused blobs, freed " << human_bytes(report.freed_bytes) << '\n';
  }
  return {};
}

Status run_check(CommandContext& ctx) {
  AIRLOCK_TRY_ASSIGN(auto store, open_store(ctx));
  AIRLOCK_TRY_ASSIGN(const CheckReport report, store->check());
  if (ctx.out.json()) {
    ctx.out.result() << nlohmann::ordered_json{{"items", report.items}, {"blobs", report.blobs}, {"problems", report.problems}}
                            .dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
                     << '\n';
  } else {
    for (const auto& p : report.problems) ctx.out.result() << "damaged: " << p << '\n';
    ctx.out.result() << report.items << " items, " << report.blobs << " blobs checked, " << report.problems.size()
                     << " problems\n";
  }
  if (!report.problems.empty()) {
    return Error(ErrorCode::verification, "the store " + store->dir().string() + " is damaged (" +
                                              std::to_string(report.problems.size()) +
                                              " problems); remove the damaged items with 'airlock rm' and analyze them again");
  }
  return {};
}

void store_flag(CommandOptions& o) { declare_config_flags(o, {"store"}); }

}  // namespace

Command ls_command() {
  return {.name = "ls",
          .synopsis = "airlock ls [--store DIR] [--json]",
          .summary = "list the items in the store, their state and size",
          .description = "States: pending (not exported yet), exported, acknowledged (a receipt came back).",
          .examples = "  airlock ls --store /data/airlock-store\n  airlock ls --json\n",
          .declare = store_flag,
          .run = run_ls};
}

Command rm_command() {
  return {.name = "rm",
          .synopsis = "airlock rm ITEM... [--store DIR]",
          .summary = "remove items from the store (by id or a unique prefix)",
          .description = "The items' blobs stay until 'airlock gc' removes those nothing uses.",
          .examples = "  airlock rm 3f9a01c2\n",
          .declare =
              [](CommandOptions& o) {
                o.options.add_options()("item", po::value<std::vector<std::string>>()->required()->value_name("ITEM"),
                                        "item ids");
                o.positional.add("item", -1);
                store_flag(o);
              },
          .run = run_rm};
}

Command gc_command() {
  return {.name = "gc",
          .synopsis = "airlock gc [--store DIR]",
          .summary = "remove blobs that no item uses",
          .description = "Waits for running analyses of the same store to finish first.",
          .examples = "  airlock gc --store /data/airlock-store\n",
          .declare = store_flag,
          .run = run_gc};
}

Command store_check_command() {
  return {.name = "store check",
          .synopsis = "airlock store check [--store DIR] [--json]",
          .summary = "verify every blob and the index; exit 3 on damage",
          .description = "Reads every blob an item uses and checks it against its digest, and runs\n"
                         "SQLite's integrity and foreign-key checks on the index. Names what is damaged.",
          .examples = "  airlock store check --store /data/airlock-store\n",
          .declare = store_flag,
          .run = run_check};
}

}  // namespace airlock::cli
