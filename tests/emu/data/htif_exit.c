/* Smoke guest: prints through HTIF's console device, then exits through
   tohost with status 7. */
#include <stdint.h>

volatile uint64_t tohost __attribute__((section(".tohost"), aligned(8)));
volatile uint64_t fromhost __attribute__((section(".tohost"), aligned(8)));

static void htif_putc(char c) {
    while (tohost) {}
    tohost = (1ull << 56) | (1ull << 48) | (uint8_t)c;
}

int main(void) {
    for (const char *s = "htif says hi\n"; *s; s++) htif_putc(*s);
    while (tohost) {}
    tohost = (7 << 1) | 1;
    for (;;) {}
}
