// The finisher decodes only 32-bit writes at offset 0 (2- and 8-byte
// writes are taken as their low 32 bits, as QEMU allows 2..4 bytes); other
// values are ignored and reads return 0.
#include "devices/sifive_test.hpp"

namespace hvemu::dev {

bool SifiveTest::mmio_read(uint64_t offset, unsigned width, uint64_t& value) {
    value = 0;
    return true;
}

bool SifiveTest::mmio_write(uint64_t offset, unsigned width, uint64_t value) {
    if (offset != 0 || width < 2) return true;
    const uint32_t v = static_cast<uint32_t>(value);
    const uint32_t status = v & 0xFFFF, code = v >> 16;
    if (!handler_) return true;
    switch (status) {
    case kPass: handler_(Action::Exit, 0); break;
    case kFail: handler_(Action::Exit, code); break;
    case kReset: handler_(Action::Reset, 0); break;
    default: break;
    }
    return true;
}

} // namespace hvemu::dev
