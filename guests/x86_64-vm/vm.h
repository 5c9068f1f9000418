// Guests for hosted VMs use the bare-metal x86-64 runtime (guests/x86_64/rt)
// with a reset page of their own (rt/reset.S): under hvemu's VMM they
// start in real mode at the reset vector and switch to long mode; under a
// multiboot loader (Bochs through GRUB, as a check) they start at the
// runtime's 32-bit entry. See rt/link.ld.
#pragma once
#include "rt/rt.h"

// The guest runs under a hypervisor (CPUID.1:ECX bit 31).
static inline int vm_under_hypervisor(void) { return (cpuid(1, 0).c >> 31) & 1; }
