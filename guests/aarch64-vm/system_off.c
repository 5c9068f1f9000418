// system_off: PSCI FEATURES says SYSTEM_OFF is there, and SYSTEM_OFF ends
// the VM (nothing after it may run).
#include "rt/vm.h"

int main(void) {
    long f = psci_call(PSCI_FEATURES, PSCI_SYSTEM_OFF, 0, 0);
    printf("PSCI_FEATURES(SYSTEM_OFF) = %ld\n", f);
    CHECK_EQ("SYSTEM_OFF implemented", f, PSCI_SUCCESS);
    long unknown = psci_call(PSCI_FEATURES, 0x8400007ful, 0, 0);
    printf("PSCI_FEATURES(0x8400007f) = %ld\n", unknown);
    CHECK_EQ("unknown function", unknown, PSCI_NOT_SUPPORTED);
    if (vm_failures) vm_verdict("system_off");
    printf("PASS: system_off\n");
    psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
    printf("FAIL: system_off: SYSTEM_OFF returned\n");
    for (;;) __asm__ volatile("wfe");
}
