// What the timing-profile tests share: a profile parsed from TOML text,
// and the error a bad one gets ("" when it loads).
#pragma once
#include <memory>
#include <string>

#include "emu/machine/riscv64_virt.hpp"   // ConfigError
#include "emu/timing/timing_loader.hpp"
#include "isa/common/timing_profile.hpp"

namespace hvemu::test {

inline std::string timing_error_of(const std::string& text) {
    try {
        emu::timing::parse_timing_profile(text, "t.toml");
    } catch (const emu::ConfigError& e) {
        return e.what();
    }
    return "";
}

inline std::shared_ptr<const isa::TimingProfile> timing_profile(const std::string& text) {
    return std::make_shared<const isa::TimingProfile>(emu::timing::parse_timing_profile(text, "t.toml"));
}

} // namespace hvemu::test
