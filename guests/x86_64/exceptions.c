// Exceptions in long mode: #DE, #UD, #GP (with its error code: a selector
// or 0), #PF (error code bits P, W/R, U/S, I/D, RSVD, and CR2), #BP from
// INT3, and software interrupts INT n. Each handler records the vector,
// error code and RIP and resumes at a recovery address.
#include "rt/rt.h"

static volatile struct { unsigned long count, vector, error, rip, cr2; } rec;
static volatile uint64_t resume_at;

static void on_exception(struct rt_frame *f) {
    rec.count++;
    rec.vector = f->vector;
    rec.error = f->error;
    rec.rip = f->rip;
    rec.cr2 = f->vector == 14 ? read_cr(2) : 0;
    if (f->vector == 3 || f->vector >= 32) return;   // traps: RIP is already past the instruction
    f->rip = resume_at;
}

// Runs `insn` with the recovery address just after it.
#define TRY(insn, ...)                                                                             \
    do {                                                                                           \
        rec.count = 0;                                                                             \
        __asm__ volatile("leaq 1f(%%rip), %%r11; movq %%r11, %0\n" insn "\n1:"                      \
                         : "=m"(resume_at) : __VA_ARGS__ : "r11", "memory", "cc");                 \
    } while (0)

static void show(const char *what, unsigned long want_vector, long want_error) {
    printf("%-28s -> vector %lu", what, rec.vector);
    if (want_error >= 0) printf(", error %lx", rec.error);
    if (rec.vector == 14) printf(", CR2 %lx", rec.cr2);
    printf("\n");
    CHECK_EQ(what, rec.count, 1);
    CHECK_EQ(what, rec.vector, want_vector);
    if (want_error >= 0) CHECK_EQ(what, rec.error, (unsigned long)want_error);
}

static uint8_t test_page[4096] __attribute__((aligned(4096)));
static uint8_t code_page[4096] __attribute__((aligned(4096)));

int main(void) {
    for (unsigned v = 0; v < 32; v++) rt_set_handler(v, on_exception);
    rt_set_handler(0x40, on_exception);
    rt_set_handler(0x81, on_exception);

    TRY("xorl %%edx, %%edx; movl $1, %%eax; xorl %%ecx, %%ecx; divl %%ecx", "i"(0));
    show("div by zero", 0, -1);
    TRY("movl $0x80000000, %%eax; cltd; movl $-1, %%ecx; idivl %%ecx", "i"(0));
    show("idiv overflow", 0, -1);
    TRY("ud2", "i"(0));
    show("ud2", 6, -1);
    TRY("int3", "i"(0));
    show("int3", 3, -1);
    CHECK_EQ("int3 pushes the next RIP", rec.rip, resume_at);
    TRY("int $0x40", "i"(0));
    show("int 0x40", 0x40, -1);
    TRY("int $0x81", "i"(0));
    show("int 0x81", 0x81, -1);
    // #GP: a selector beyond the GDT (error = the selector), a
    // non-canonical address, a reserved CR4 bit, an MSR that does not exist.
    TRY("movw $0x1230, %%ax; movw %%ax, %%ds", "i"(0));
    __asm__ volatile("movw %w0, %%ds" :: "r"(SEL_DATA));
    show("mov ds, 0x1230 (beyond GDT)", 13, 0x1230);
    TRY("movabsq $0x8000000000000000, %%rax; movq (%%rax), %%rax", "i"(0));
    show("non-canonical load", 13, 0);
    TRY("movq %%cr4, %%rax; btsq $63, %%rax; movq %%rax, %%cr4", "i"(0));
    show("CR4 reserved bit", 13, 0);
    TRY("wrmsr", "c"(0xdeadbeef), "a"(0), "d"(0));
    show("wrmsr to no MSR", 13, 0);
    // #PF: not present (read, write), read-only (write), reserved bit, and
    // instruction fetch from an NX page.
    uint64_t va = (uint64_t)test_page;
    rt_map_4k(va, 0);
    TRY("movb (%1), %%al", "r"(va + 0x10));
    show("read, not present", 14, 0x0);
    TRY("movb %%al, (%1)", "r"(va + 0x20));
    show("write, not present", 14, 0x2);
    rt_map_4k(va, va | PTE_P);
    TRY("movb %%al, (%1)", "r"(va + 0x30));
    show("write, read-only", 14, 0x3);
    rt_map_4k(va, va | PTE_P | PTE_W | (1ul << 51));   // reserved (above MAXPHYADDR)
    TRY("movb (%1), %%al", "r"(va + 0x40));
    show("reserved bit", 14, 0x9);
    rt_map_4k(va, va | PTE_P | PTE_W);
    code_page[0] = 0xc3;   // ret
    rt_map_4k((uint64_t)code_page, (uint64_t)code_page | PTE_P | PTE_W | PTE_NX);
    TRY("call *%1", "r"((uint64_t)code_page));
    show("fetch from an NX page", 14, 0x11);
    CHECK_EQ("NX fault RIP", rec.rip, (uint64_t)code_page);
    rt_verdict("exceptions");
}
