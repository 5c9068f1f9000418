// The shipped timing profiles (timing/*.toml), embedded at build time by
// cmake/embed_timing.cmake into a generated source file.
#pragma once
#include <span>
#include <string_view>

namespace hvemu::emu::timing {

struct EmbeddedProfile {
    std::string_view name;   // the file name without .toml
    std::string_view text;
};

std::span<const EmbeddedProfile> embedded_profiles();

} // namespace hvemu::emu::timing
