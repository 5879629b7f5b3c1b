// The live page's files (src/observer/page/), embedded into the binary at build time.
#pragma once

#include <optional>
#include <string_view>

namespace lunatic::observer {

/// The content of the page's file `name` ("index.html", "observer.js", "observer.css"), or
/// nullopt if there is no such file.
std::optional<std::string_view> page_file(std::string_view name);

}  // namespace lunatic::observer
