#include "server/static_files.h"

#include <fstream>
#include <sstream>

namespace orchard::server {

std::string ContentTypeFor(std::string_view name) {
  static const std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".json", "application/json"}, {".svg", "image/svg+xml"}, {".png", "image/png"},
      {".ico", "image/x-icon"}, {".woff2", "font/woff2"}, {".txt", "text/plain; charset=utf-8"},
      {".webmanifest", "application/manifest+json"}};
  for (const auto& [ext, type] : kTypes) {
    if (name.size() >= ext.size() && name.substr(name.size() - ext.size()) == ext) return std::string(type);
  }
  return "application/octet-stream";
}

Status StaticFiles::Load(const std::filesystem::path& root, size_t max_bytes) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(root / "index.html", ec)) {
    return Status(Code::kNotFound, "no dashboard at " + root.string() +
                                       " (index.html is missing: build it with cmake --build, which runs "
                                       "npm in web/, or set [server] web_root)");
  }
  std::map<std::string, File, std::less<>> files;
  size_t total = 0;
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const std::filesystem::path rel = std::filesystem::relative(it->path(), root, ec);
    if (ec) break;
    std::ifstream in(it->path(), std::ios::binary);
    if (!in) return Status(Code::kUnavailable, "cannot read " + it->path().string());
    std::ostringstream body;
    body << in.rdbuf();
    File f{ContentTypeFor(rel.filename().string()), std::move(body).str()};
    total += f.body.size();
    if (total > max_bytes) {
      return Status(Code::kResourceExhausted, "the dashboard under " + root.string() + " is over " +
                                                  std::to_string(max_bytes >> 20) + " MiB");
    }
    files.emplace("/" + rel.generic_string(), std::move(f));
  }
  if (ec) return Status(Code::kUnavailable, "cannot list " + root.string() + ": " + ec.message());
  files_ = std::move(files);
  return Status::Ok();
}

Response StaticFiles::Answer(const std::string& key, const File& file) const {
  Response r;
  r.status = 200;
  r.content_type = file.content_type;
  r.body = file.body;
  const bool hashed = key.rfind("/assets/", 0) == 0;
  r.headers.emplace_back("Cache-Control", hashed ? "public, max-age=31536000, immutable" : "no-cache");
  return r;
}

std::optional<Response> StaticFiles::Serve(std::string_view path) const {
  if (files_.empty() || path.empty() || path.front() != '/') return std::nullopt;
  const std::string key = path == "/" ? std::string("/index.html") : std::string(path);
  if (auto it = files_.find(key); it != files_.end()) return Answer(it->first, it->second);
  // A page of the dashboard (/sales, /reviews/123): no dot in the last segment, not the API.
  const std::string_view last = path.substr(path.rfind('/') + 1);
  if (path.rfind("/api/", 0) == 0 || path.rfind("/assets/", 0) == 0 ||
      last.find('.') != std::string_view::npos) {
    return std::nullopt;
  }
  auto index = files_.find(std::string_view("/index.html"));
  return Answer(index->first, index->second);
}

}  // namespace orchard::server
