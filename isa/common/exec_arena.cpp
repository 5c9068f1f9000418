#include "isa/common/exec_arena.hpp"

#include <cstring>

#if defined(__unix__) || defined(__APPLE__)
#include <sys/mman.h>
#define HVEMU_HAVE_MMAP 1
#endif

namespace hvemu::isa {

ExecArena::ExecArena(size_t bytes) {
#ifdef HVEMU_HAVE_MMAP
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p != MAP_FAILED) {
        base_ = static_cast<uint8_t*>(p);
        size_ = bytes;
    }
#else
    (void)bytes;
#endif
}

ExecArena::~ExecArena() {
#ifdef HVEMU_HAVE_MMAP
    if (base_) munmap(base_, size_);
#endif
}

void* ExecArena::place(const uint8_t* code, size_t n) {
    const size_t at = (used_ + 15) & ~size_t{15};   // 16-byte aligned entries
    if (!base_ || at + n > size_) return nullptr;
    std::memcpy(base_ + at, code, n);
    used_ = at + n;
    return base_ + at;
}

} // namespace hvemu::isa
