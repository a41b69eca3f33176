// The built dashboard (web/, product.md §4 "Dashboard"), served by `orchard serve` beside the API.
//
// Every file under the web root is read into memory once, at start: the dashboard is a few
// hundred kilobytes, a request never touches the disk, and nothing outside the root can ever be
// named (a path is a key of the map, never joined to the root). Paths without a file extension
// that match no file answer index.html, so the dashboard's own URLs (/sales?…, deep links) load
// the app; hashed files under /assets/ are cached for a year, everything else revalidated.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "core/status.h"
#include "server/router.h"

namespace orchard::server {

class StaticFiles {
 public:
  // Reads every regular file under `root` (kNotFound without index.html; kResourceExhausted
  // past `max_bytes` in all).
  Status Load(const std::filesystem::path& root, size_t max_bytes = size_t{64} << 20);
  bool loaded() const { return !files_.empty(); }

  // The answer to GET `path`, or nullopt when the dashboard has nothing there.
  std::optional<Response> Serve(std::string_view path) const;

 private:
  struct File {
    std::string content_type;
    std::string body;
  };
  Response Answer(const std::string& key, const File& file) const;
  std::map<std::string, File, std::less<>> files_;  // "/index.html", "/assets/index-3f2a.js"
};

// "text/html; charset=utf-8" for "x.html" … "application/octet-stream" when unknown.
std::string ContentTypeFor(std::string_view file_name);

}  // namespace orchard::server
