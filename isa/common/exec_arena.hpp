// Executable memory for generated host code: one mapping, filled by a bump
// pointer and emptied all at once. Code is never freed piecewise; whoever
// owns the arena resets it at a point where none of its code is running.
#pragma once
#include <cstddef>
#include <cstdint>

namespace hvemu::isa {

class ExecArena {
public:
    explicit ExecArena(size_t bytes);
    ~ExecArena();
    ExecArena(const ExecArena&) = delete;
    ExecArena& operator=(const ExecArena&) = delete;

    // Whether the host gave us writable, executable memory (it may refuse:
    // then nothing is ever placed and callers interpret instead).
    bool usable() const { return base_ != nullptr; }
    // Copy `n` bytes of code in; nullptr when they do not fit.
    void* place(const uint8_t* code, size_t n);
    size_t used() const { return used_; }
    size_t capacity() const { return size_; }
    void reset() { used_ = 0; }

private:
    uint8_t* base_ = nullptr;
    size_t size_ = 0, used_ = 0;
};

} // namespace hvemu::isa
