// airlock sbom: read an image from any source and describe what it holds.
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>
#include <thread>

#include "analyze/image_walk.hpp"
#include "analyze/sbom.hpp"
#include "analyze/source_spec.hpp"
#include "analyze/syft_json.hpp"
#include "base/file.hpp"
#include "cli/commands/commands.hpp"
#include "cli/terminal_progress.hpp"
#include "cli/version_info.hpp"

namespace airlock::cli {

namespace {

struct OutputRequest {
  std::string format;
  std::optional<std::string> file;
};

constexpr std::string_view k_formats[] = {"table", "syft-json", "summary", "files", "json"};

Result<OutputRequest> parse_output(const std::string& text) {
  OutputRequest request;
  const auto eq = text.find('=');
  request.format = text.substr(0, eq);
  if (eq != std::string::npos) {
    request.file = text.substr(eq + 1);
    if (request.file->empty()) return Error(ErrorCode::usage, "-o " + text + ": the file name is empty");
  }
  for (auto f : k_formats) {
    if (f == request.format) return request;
  }
  return Error(ErrorCode::usage, "unknown output format '" + request.format +
                                     "' (available: table, syft-json, summary, files, json)");
}

void write_summary(std::ostream& out, const ImageMetadata& meta, const ImageWalk& walk) {
  out << "source:    " << meta.source << '\n';
  if (!meta.manifest_bytes.empty()) {
    out << "image:     " << meta.manifest_digest.oci()
        << (meta.manifest_synthesized ? "  (manifest synthesized from a docker-archive)" : "") << '\n';
    out << "manifest:  " << meta.manifest_media_type << '\n';
    out << "image id:  " << meta.config_digest.oci() << '\n';
    out << "platform:  " << meta.platform.to_string() << '\n';
  }
  if (meta.parent_digest) out << "index:     " << meta.parent_digest->oci() << '\n';
  for (const auto& tag : meta.tags) out << "tag:       " << tag << '\n';
  std::uint64_t squashed_bytes = 0;
  std::size_t regular = 0;
  for (const auto& [path, record] : walk.squashed.files()) {
    if (record.type == FileType::regular) {
      ++regular;
      squashed_bytes += record.size;
    }
  }
  out << "layers:    " << walk.layers.size() << '\n';
  for (std::size_t i = 0; i < walk.layers.size(); ++i) {
    const LayerIndex& l = walk.layers[i];
    out << "  " << i + 1 << "  " << l.diff_id.oci().substr(0, 19) << "  " << human_bytes(l.blob_size)
        << " stored, " << human_bytes(l.tar_size) << " tar, " << l.entries.size() << " entries";
    if (!l.whiteouts.empty()) out << ", " << l.whiteouts.size() << " deleted";
    if (!l.opaque_dirs.empty()) out << ", " << l.opaque_dirs.size() << " opaque dirs";
    out << '\n';
  }
  out << "files:     " << walk.squashed.size() << " paths, " << regular << " regular files, "
      << human_bytes(squashed_bytes) << " (squashed)\n";
}

std::string mode_string(const FileRecord& r) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", r.mode);
  return text;
}

void write_file_line(std::ostream& out, const std::string& path, const FileRecord& r,
                     const char* extra = "") {
  out << file_type_name(r.type) << '\t' << mode_string(r) << '\t' << r.uid << ':' << r.gid << '\t'
      << r.size << '\t' << r.layer + 1 << '\t' << path;
  if (!r.link.empty()) out << (r.type == FileType::hardlink ? " => " : " -> ") << r.link;
  out << extra << '\n';
}

void write_files(std::ostream& out, const ImageWalk& walk, bool all_layers) {
  out << "TYPE\tMODE\tUID:GID\tSIZE\tLAYER\tPATH\n";
  if (!all_layers) {
    for (const auto& [path, record] : walk.squashed.files()) write_file_line(out, path, record);
    return;
  }
  for (const auto& layer : walk.layers) {
    for (const auto& entry : layer.entries) {
      const FileRecord* visible = walk.squashed.find(entry.path);
      const bool shown = visible != nullptr && visible->layer == entry.record.layer;
      write_file_line(out, entry.path, entry.record, shown ? "" : "  (hidden by a later layer)");
    }
  }
}

nlohmann::ordered_json to_json(const ImageMetadata& meta, const ImageWalk& walk, bool all_layers) {
  nlohmann::ordered_json doc;
  doc["source"] = meta.source;
  if (!meta.manifest_bytes.empty()) {
    doc["image_digest"] = meta.manifest_digest.oci();
    doc["manifest_media_type"] = meta.manifest_media_type;
    doc["manifest_synthesized"] = meta.manifest_synthesized;
    doc["config_digest"] = meta.config_digest.oci();
    doc["platform"] = meta.platform.to_string();
  }
  if (meta.parent_digest) doc["parent_digest"] = meta.parent_digest->oci();
  doc["tags"] = meta.tags;
  doc["layers"] = nlohmann::ordered_json::array();
  for (const auto& l : walk.layers) {
    doc["layers"].push_back({{"digest", l.blob_digest.oci()},
                             {"diff_id", l.diff_id.oci()},
                             {"blob_size", l.blob_size},
                             {"tar_size", l.tar_size},
                             {"content_size", l.content_size},
                             {"entries", l.entries.size()},
                             {"whiteouts", l.whiteouts},
                             {"opaque_dirs", l.opaque_dirs}});
  }
  auto files = nlohmann::ordered_json::array();
  auto add = [&](const std::string& path, const FileRecord& r, std::optional<bool> visible) {
    nlohmann::ordered_json f = {{"path", path},      {"type", file_type_name(r.type)},
                                {"mode", r.mode},    {"uid", r.uid},
                                {"gid", r.gid},      {"size", r.size},
                                {"layer", r.layer}};
    if (!r.link.empty()) f["link"] = r.link;
    if (visible) f["visible"] = *visible;
    files.push_back(std::move(f));
  };
  if (all_layers) {
    for (const auto& layer : walk.layers) {
      for (const auto& e : layer.entries) {
        const FileRecord* v = walk.squashed.find(e.path);
        add(e.path, e.record, v != nullptr && v->layer == e.record.layer);
      }
    }
  } else {
    for (const auto& [path, record] : walk.squashed.files()) add(path, record, std::nullopt);
  }
  doc["files"] = std::move(files);
  return doc;
}

Status run_sbom(CommandContext& ctx) {
  std::vector<OutputRequest> outputs;
  for (const auto& o : option<std::vector<std::string>>(ctx.args, "output")
                            .value_or(std::vector<std::string>{ctx.out.json() ? "json" : "table"})) {
    AIRLOCK_TRY_ASSIGN(OutputRequest r, parse_output(o));
    outputs.push_back(r);
  }
  int to_stdout = 0;
  for (const auto& o : outputs) to_stdout += o.file ? 0 : 1;
  if (to_stdout > 1) return Error(ErrorCode::usage, "only one -o format can go to stdout; give the others =FILE");
  const std::string scope = ctx.args["scope"].as<std::string>();
  if (scope != "squashed" && scope != "all-layers") {
    return Error(ErrorCode::usage, "--scope must be squashed or all-layers, not '" + scope + "'");
  }

  AIRLOCK_TRY_ASSIGN(const SourceOptions source_options, source_options_from(ctx));
  AIRLOCK_TRY_ASSIGN(const SourceSpec spec, parse_source_spec(ctx.args["source"].as<std::string>()));
  bool catalog = false;
  for (const auto& o : outputs) catalog |= o.format == "table" || o.format == "syft-json";
  const bool all_layers = scope == "all-layers";
  AIRLOCK_TRY_ASSIGN(auto image, open_image_source(spec, source_options));
  ctx.out.verbose("reading " + image->metadata().source);
  auto progress = ctx.out.progress();
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  ImageWalk walk;
  std::optional<Sbom> sbom;
  if (catalog) {
    SbomOptions sbom_options;
    sbom_options.threads = threads;
    sbom_options.progress = progress.get();
    sbom_options.user_input = ctx.args["source"].as<std::string>();
    sbom_options.all_layers = all_layers;
    bool lists_files = false;  // summary, files, json: they need the walk's file index
    for (const auto& o : outputs) lists_files |= o.format != "table" && o.format != "syft-json";
    AIRLOCK_TRY_ASSIGN(Sbom built, build_sbom(*image, sbom_options, lists_files ? &walk : nullptr));
    for (const auto& w : built.warnings) ctx.out.warning(w);
    sbom = std::move(built);
  } else {
    ImageWalkOptions walk_options;
    walk_options.threads = threads;
    walk_options.progress = progress.get();
    AIRLOCK_TRY_ASSIGN(walk, walk_image(*image, walk_options));
  }

  auto render = [&](const OutputRequest& o, std::ostream& text) {
    if (o.format == "table") write_package_table(text, *sbom);
    if (o.format == "syft-json") write_syft_json(text, *sbom, {k_airlock_version});
    if (o.format == "summary") write_summary(text, image->metadata(), walk);
    if (o.format == "files") write_files(text, walk, all_layers);
    if (o.format == "json") {
      text << to_json(image->metadata(), walk, all_layers).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    }
  };
  // Documents stream straight into their files (written whole or not at all).
  for (const auto& o : outputs) {
    if (!o.file) continue;
    AIRLOCK_TRY_ASSIGN(auto file, AtomicFile::create(*o.file));
    {
      SinkStreambuf buffer(*file);
      std::ostream stream(&buffer);
      render(o, stream);
      stream.flush();
      AIRLOCK_TRY(buffer.status().context("writing " + *o.file));
    }
    AIRLOCK_TRY(file->commit());
    ctx.out.info("wrote " + o.format + " to " + *o.file);
  }
  for (const auto& o : outputs) {
    if (!o.file) render(o, ctx.out.result());
  }
  return {};
}

}  // namespace

Command sbom_command() {
  return {
      .name = "sbom",
      .synopsis = "airlock sbom SOURCE [-o FORMAT[=FILE]]... [--platform OS/ARCH[/VARIANT]] "
                  "[--scope squashed|all-layers]",
      .summary = "read an image and list its packages (syft-json, table) or files",
      .description =
          "Reads the image once, streaming: every blob digest is checked against the\n"
          "manifest, whiteouts and opaque directories are applied, nothing is unpacked.\n"
          "SOURCE is docker-archive:PATH, oci-archive:PATH, oci-dir:PATH, dir:PATH,\n"
          "registry:REF, a bare path whose kind is detected, or a bare image reference\n"
          "(read from its registry). Registry logins come from $REGISTRY_AUTH_FILE,\n"
          "$XDG_RUNTIME_DIR/containers/auth.json and ~/.docker/config.json.\n"
          "Formats: table (NAME VERSION TYPE, the default), syft-json (what AnchoreCTL\n"
          "uploads; schema 16, compact), summary (digests, layers, file counts), files\n"
          "(one line per path), json (summary and files). Catalogers: dpkg (status,\n"
          "status.d, opkg), apk, rpm (sqlite, BerkeleyDB, NDB, CBL-Mariner manifest);\n"
          "language ecosystems, CycloneDX and SPDX are not built yet. --scope\n"
          "all-layers lists every layer's entries and catalogs every layer's package\n"
          "databases, so removed packages show too. --platform picks an image from a\n"
          "multi-platform index (default: this machine's).",
      .examples = "  airlock sbom docker-archive:app.tar\n"
                  "  airlock sbom app.oci.tar -o syft-json=app.syft.json -o table\n"
                  "  airlock sbom oci-dir:./layout --platform linux/arm64 -o files\n"
                  "  airlock sbom app.oci.tar -o table -o json=app.json --scope all-layers\n"
                  "  airlock sbom registry:registry.enclave:5000/team/api:1.4 --insecure-registry registry.enclave:5000\n",
      .declare =
          [](CommandOptions& o) {
            o.options.add_options()
              ("source", po::value<std::string>()->required()->value_name("SOURCE"), "image to read")
              ("output,o", po::value<std::vector<std::string>>()->value_name("FORMAT[=FILE]"),
               "output format, to stdout or FILE (repeatable)")
              ("scope", po::value<std::string>()->default_value("squashed")->value_name("SCOPE"),
               "squashed (what a container sees) or all-layers (every layer's files and package\n"
               "databases, removed packages included; locations say whether still visible)");
            declare_source_flags(o);
            o.positional.add("source", 1);
          },
      .run = run_sbom,
  };
}

}  // namespace airlock::cli
