// Does nothing: the bench script times it to subtract each emulator's fixed
// start-up and shut-down cost from the other programs' times.
#include "bench.h"

int main(void) {
    bench_report("empty", 0);
    return 0;
}
