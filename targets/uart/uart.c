/* The uart driver (uart.h). */
#include "targets/uart/uart.h"

#include <machine/intr.h>
#include <sys/systm.h>

#include "targets/uart/uart_dev.h"

int uart_intr(void* arg) {
  struct uart_softc* sc = arg;
  int got = 0;

  mutex_enter(&sc->sc_lock);
  sc->sc_intrs++;
  while (bus_space_read_1(sc->sc_iot, sc->sc_ioh, UART_LSR) & LSR_RXRDY) {
    const uint8_t c = bus_space_read_1(sc->sc_iot, sc->sc_ioh, UART_RBR);
    KASSERTMSG(sc->sc_put - sc->sc_get < UART_RING, "ring overflow");
    sc->sc_ring[sc->sc_put % UART_RING] = c;
    sc->sc_put++;
    got = 1;
  }
  if (got) cv_broadcast(&sc->sc_cv);
  mutex_exit(&sc->sc_lock);
  return got;
}

int uart_read(struct uart_softc* sc) {
  int c;

  mutex_enter(&sc->sc_lock);
  if (sc->sc_flags & UART_CHECK_UNLOCKED) {
    /* The bug: the test and the sleep are not under one hold of the lock. */
    const int empty = sc->sc_get == sc->sc_put;
    mutex_exit(&sc->sc_lock);
    mutex_enter(&sc->sc_lock);
    if (empty) cv_wait(&sc->sc_cv, &sc->sc_lock);
  }
  while (sc->sc_get == sc->sc_put) cv_wait(&sc->sc_cv, &sc->sc_lock);
  c = sc->sc_ring[sc->sc_get % UART_RING];
  sc->sc_get++;
  mutex_exit(&sc->sc_lock);
  return c;
}

void uart_attach(struct uart_softc* sc, int flags, int bytes) {
  sc->sc_flags = flags;
  mutex_init(&sc->sc_lock, MUTEX_DEFAULT,
             (flags & UART_ADAPTIVE_LOCK) ? IPL_NONE : IPL_VM);
  cv_init(&sc->sc_cv, "uartrd");
  const int line = intr_establish_xname(SPL_LEVEL_VM, 0, IST_MPSAFE, uart_intr, sc, "uart0");
  sc->sc_iot = 0;
  sc->sc_ioh = uart_dev_attach(line, bytes);
}
