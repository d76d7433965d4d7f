// Memory that target C can reach but the machine does not know: a global of
// C++ code, which is not instrumented and not registered as a global of the
// target. hwtest's foreign_memory scenario stores to it and is refused.
extern "C" {
extern char smp_test_foreign[64];
char smp_test_foreign[64];
}
