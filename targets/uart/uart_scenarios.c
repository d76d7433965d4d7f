/* The uart target's scenarios: a reader thread on CPU 0 takes every byte
 * the line delivers, while the device interrupts CPU 0 (so the reader
 * holding sc_lock and the handler wanting it meet on one CPU, and the
 * lock's IPL matters). CPU 1 runs the line.
 *
 *   read                   the driver as written: clean
 *   read_adaptive_lock     sc_lock adaptive, taken in the hard interrupt
 *   read_check_unlocked    the emptiness test and the sleep not under one
 *                          hold of the lock: a lost wakeup */
#include <smp/hw.h>
#include <sys/systm.h>

#include "targets/uart/uart.h"

#define UART_BYTES 3

static struct uart_softc uart0;

static void reader(void* arg) {
  struct uart_softc* sc = arg;
  for (int i = 1; i <= UART_BYTES; i++) {
    const int c = uart_read(sc);
    KASSERTMSG(c == i, "byte %d read as %d", i, c);
  }
}

static void uart_setup(int flags) {
  uart_attach(&uart0, flags, UART_BYTES);
  smp_thread_create("reader", 0, reader, &uart0);
}
static void read_setup(void) { uart_setup(0); }
static void read_adaptive_lock_setup(void) { uart_setup(UART_ADAPTIVE_LOCK); }
static void read_check_unlocked_setup(void) { uart_setup(UART_CHECK_UNLOCKED); }

SMP_SCENARIO_C(read, .target = "uart", .variant = "read",
               .description = "a reader takes every byte the device receives",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 4000,
               .memory_model = SMP_TSO, .setup = read_setup)
SMP_SCENARIO_C(read_adaptive_lock, .target = "uart", .variant = "read_adaptive_lock",
               .description = "sc_lock made at IPL_NONE (adaptive) and taken by "
                              "the hard interrupt",
               .expected = SMP_LOCK_MISUSE, .cpus = 2, .max_steps = 4000,
               .memory_model = SMP_TSO, .setup = read_adaptive_lock_setup)
SMP_SCENARIO_C(read_check_unlocked, .target = "uart", .variant = "read_check_unlocked",
               .description = "uart_read tests the ring and sleeps under two "
                              "holds of sc_lock",
               .expected = SMP_LOST_WAKEUP, .cpus = 2, .max_steps = 4000,
               .memory_model = SMP_TSO, .setup = read_check_unlocked_setup)
