#include "format.h"

static void out_num(void (*put)(char), unsigned long v, unsigned base, int upper, int neg, int width, int zero, int left) {
    char buf[24];
    int n = 0;
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    do {
        buf[n++] = digits[v % base];
        v /= base;
    } while (v);
    int len = n + (neg ? 1 : 0);
    if (!left && !zero)
        for (int i = len; i < width; i++) put(' ');
    if (neg) put('-');
    if (!left && zero)
        for (int i = len; i < width; i++) put('0');
    while (n) put(buf[--n]);
    if (left)
        for (int i = len; i < width; i++) put(' ');
}

int guest_vformat(void (*put)(char), const char *fmt, va_list ap) {
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(*fmt);
            continue;
        }
        fmt++;
        int zero = 0, left = 0, width = 0, lng = 0;
        for (;; fmt++) {
            if (*fmt == '0') zero = 1;
            else if (*fmt == '-') left = 1;
            else break;
        }
        while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l' || *fmt == 'z' || *fmt == 'h') {
            if (*fmt != 'h') lng = 1;
            fmt++;
        }
        switch (*fmt) {
        case 'd':
        case 'i': {
            long v = lng ? va_arg(ap, long) : va_arg(ap, int);
            unsigned long u = v < 0 ? -(unsigned long)v : (unsigned long)v;
            out_num(put, u, 10, 0, v < 0, width, zero, left);
            break;
        }
        case 'u':
            out_num(put, lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 10, 0, 0, width, zero, left);
            break;
        case 'x':
        case 'X':
            out_num(put, lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 16, *fmt == 'X', 0, width, zero, left);
            break;
        case 'p':
            put('0'); put('x');
            out_num(put, (unsigned long)va_arg(ap, void *), 16, 0, 0, 16, 1, 0);
            break;
        case 'c':
            put((char)va_arg(ap, int));
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            int len = 0;
            while (s[len]) len++;
            if (!left)
                for (int i = len; i < width; i++) put(' ');
            while (*s) put(*s++);
            if (left)
                for (int i = len; i < width; i++) put(' ');
            break;
        }
        case '%':
            put('%');
            break;
        case 0:
            return 0;
        default:
            put('%');
            put(*fmt);
        }
    }
    return 0;
}
