// S-mode trap dispatch: interrupts by cause, exceptions to one handler.
#include "vm.h"

static vm_irq_handler_t irq_handlers[16];
static vm_exc_handler_t exc_handler;

void vm_set_irq_handler(unsigned cause, vm_irq_handler_t h) {
    if (cause < 16) irq_handlers[cause] = h;
}

void vm_set_exc_handler(vm_exc_handler_t h) { exc_handler = h; }

void vm_trap(struct vm_frame *f) {
    unsigned long cause = csr_read(scause);
    unsigned long tval = csr_read(stval);
    if (cause & CAUSE_INTERRUPT) {
        unsigned long irq = cause & ~CAUSE_INTERRUPT;
        if (irq < 16 && irq_handlers[irq]) {
            irq_handlers[irq](f);
            return;
        }
    } else if (exc_handler) {
        exc_handler(f, cause, tval);
        return;
    }
    printf("unexpected trap: scause=%lx sepc=%lx stval=%lx\n", cause, csr_read(sepc), tval);
    vm_exit(99);
}
