// A freestanding printf core shared by the guests' runtimes: %d %i %u %x %X
// %c %s %p %%, flags '-' and '0', a width, and the l/ll/z/h modifiers.
// Each runtime supplies its own character output.
#pragma once
#include <stdarg.h>

int guest_vformat(void (*put)(char), const char *fmt, va_list ap);
