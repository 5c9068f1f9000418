// A state machine in the spirit of CoreMark's: a recogniser for numeric
// tokens (integers, hex, decimals, scientific notation, invalid) runs over
// a comma-separated text, counting final states and transitions. Each
// iteration corrupts a few characters, scans, restores and scans again.
// Byte loads and unpredictable branches.
#include "bench.h"

#define TEXT_LEN 1024
// About 1e9 instructions (clang 14, -O2) per BENCH_SCALE.
#define STATE_ITERS (21400u * BENCH_SCALE)

enum state {
    S_START,
    S_SIGN,
    S_ZERO,
    S_INT,
    S_HEX,
    S_DOT,
    S_FLOAT,
    S_EXP,
    S_EXP_SIGN,
    S_SCI,
    S_INVALID,
    S_COUNT
};

static char text[TEXT_LEN];

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
static int is_exp(char c) { return c == 'e' || c == 'E'; }
static int is_sign(char c) { return c == '+' || c == '-'; }

static enum state step(enum state s, char c) {
    switch (s) {
    case S_START:
        if (is_sign(c)) return S_SIGN;
        if (c == '0') return S_ZERO;
        if (is_digit(c)) return S_INT;
        if (c == '.') return S_DOT;
        return S_INVALID;
    case S_SIGN:
        if (is_digit(c)) return S_INT;
        if (c == '.') return S_DOT;
        return S_INVALID;
    case S_ZERO:
        if (c == 'x' || c == 'X') return S_HEX;
        if (is_digit(c)) return S_INT;
        if (c == '.') return S_FLOAT;
        if (is_exp(c)) return S_EXP;
        return S_INVALID;
    case S_INT:
        if (is_digit(c)) return S_INT;
        if (c == '.') return S_FLOAT;
        if (is_exp(c)) return S_EXP;
        return S_INVALID;
    case S_HEX:
        return is_hex(c) ? S_HEX : S_INVALID;
    case S_DOT:
        return is_digit(c) ? S_FLOAT : S_INVALID;
    case S_FLOAT:
        if (is_digit(c)) return S_FLOAT;
        if (is_exp(c)) return S_EXP;
        return S_INVALID;
    case S_EXP:
        if (is_sign(c)) return S_EXP_SIGN;
        return is_digit(c) ? S_SCI : S_INVALID;
    case S_EXP_SIGN:
    case S_SCI:
        return is_digit(c) ? S_SCI : S_INVALID;
    default:
        return S_INVALID;
    }
}

// Counts how many tokens end in each state and how many transitions enter
// each state; returns a digest of both.
static uint64_t scan(const char *p, uint32_t n) {
    uint32_t final[S_COUNT] = {0}, entered[S_COUNT] = {0};
    enum state s = S_START;
    for (uint32_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == ',') {
            final[s]++;
            s = S_START;
            continue;
        }
        enum state next = step(s, c);
        if (next != s) entered[next]++;
        s = next;
    }
    final[s]++;
    uint64_t h = 0;
    for (int k = 0; k < S_COUNT; k++) h = h * 131 + final[k] * 65599u + entered[k];
    return h;
}

int main(void) {
    static const char *const tokens[] = {
        "42",     "-17",   "+8",     "0x1F",  "0xbeef", "3.25",     "-0.5",  ".75",   "6.02e23",
        "1e-9",   "0",     "12a",    "0x",    "1.2.3",  "e5",       "--3",   "7e",    "+.5e1",
        "0xG1",   "314159", "-2.5E+7", "0.0",  "9e+",    "00017",    "x12",   "-.e3",  "271828",
    };
    const uint32_t ntok = sizeof tokens / sizeof tokens[0];
    uint32_t len = 0;
    for (uint32_t t = 0; len < TEXT_LEN - 1; t++) {
        const char *s = tokens[t % ntok];
        while (*s && len < TEXT_LEN - 1) text[len++] = *s++;
        if (len < TEXT_LEN - 1) text[len++] = ',';
    }
    static const char noise[] = "0123456789.eEx+-,aZ";
    uint64_t sum = 0;
    uint32_t iters = OPAQUE(STATE_ITERS);
    for (uint32_t it = 0; it < iters; it++) {
        // Every (7 * stride)-th character, stride 5..15: at most 30 of them.
        uint32_t stride = 5 + it % 11, first = it % stride;
        char saved[32];
        uint32_t k = 0;
        for (uint32_t i = first; i < len; i += stride * 7) {
            saved[k++] = text[i];
            text[i] = noise[(it + i) % (sizeof noise - 1)];
        }
        sum = bench_mix(sum, scan(text, len));
        k = 0;
        for (uint32_t i = first; i < len; i += stride * 7) text[i] = saved[k++];
        sum = bench_mix(sum, scan(text, len));
    }
    bench_report("state", sum);
    return 0;
}
