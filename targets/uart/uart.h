/* uart: a small receive-only serial driver, written the way a NetBSD
 * driver is, over the kernel (//kern) and the UART model (uart_dev.h).
 * docs/porting-a-driver.md walks through it.
 *
 * The interrupt handler moves received bytes from the device into the
 * softc's ring under sc_lock, a spin mutex at IPL_VM, and wakes readers
 * with cv_broadcast; uart_read sleeps on sc_cv until a byte is there.
 *
 * The flags are the two ways a port from spl to a mutex commonly goes
 * wrong, each a bug variant of targets/uart/uart_scenarios.c:
 *   UART_ADAPTIVE_LOCK  the lock is made with mutex_init(IPL_NONE), an
 *                       adaptive mutex, which the hard interrupt then takes;
 *   UART_CHECK_UNLOCKED uart_read tests the ring, drops the lock, and only
 *                       then takes it again to sleep: a byte arriving in
 *                       between is never waited for (the wakeup is lost).
 */
#ifndef SMPFUZZ_TARGETS_UART_UART_H_
#define SMPFUZZ_TARGETS_UART_UART_H_

#include <sys/bus.h>
#include <sys/condvar.h>
#include <sys/mutex.h>

#define UART_RING 8

#define UART_ADAPTIVE_LOCK 0x1
#define UART_CHECK_UNLOCKED 0x2

struct uart_softc {
  kmutex_t sc_lock;   /* the ring and the device */
  kcondvar_t sc_cv;   /* a byte was put in the ring */
  bus_space_tag_t sc_iot;
  bus_space_handle_t sc_ioh;
  int sc_flags;
  uint8_t sc_ring[UART_RING];
  u_int sc_put;       /* bytes put, ever */
  u_int sc_get;       /* bytes taken, ever */
  u_int sc_intrs;     /* interrupts taken */
};

/* Declaration (a scenario's setup): initialises the softc, establishes
 * the interrupt and attaches the device, which will receive `bytes`
 * bytes. */
void uart_attach(struct uart_softc* sc, int flags, int bytes);
/* The interrupt handler. Returns 1 if the device had something. */
int uart_intr(void* arg);
/* Thread context. Sleeps until a byte is in the ring; returns it. */
int uart_read(struct uart_softc* sc);

#endif /* SMPFUZZ_TARGETS_UART_UART_H_ */
