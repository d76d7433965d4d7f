/* smp_pass must refuse thread_local globals. */
_Thread_local int per_thread_count; /* EXPECT-ERROR */

int bump(void) { return ++per_thread_count; }
