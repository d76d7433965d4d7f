/* The UART model (uart_dev.h). Its register callbacks run inside the
 * CPU's bus cycle; the line thread is the outside world. */
#include "targets/uart/uart_dev.h"

#include <smp/device.h>
#include <sys/atomic.h>
#include <sys/systm.h>

struct uart_dev {
  uint8_t ud_fifo[UART_DEV_FIFO];
  u_int ud_head;  /* next byte to pop (the device's side) */
  u_int ud_tail;  /* next free slot (the line's side) */
  u_int ud_count; /* bytes waiting: the line adds, a read of RBR takes */
  int ud_overruns;
  int ud_line;
  int ud_bytes;
};

static struct uart_dev uart_dev0;

static uint32_t uart_dev_read(void* arg, bus_size_t off, int width) {
  struct uart_dev* ud = arg;
  (void)width;
  if (off == UART_LSR) return ud->ud_count > 0 ? LSR_RXRDY : 0;
  if (off != UART_RBR || ud->ud_count == 0) return 0;
  const uint8_t c = ud->ud_fifo[ud->ud_head];
  ud->ud_head = (ud->ud_head + 1) % UART_DEV_FIFO;
  ud->ud_count--;
  return c;
}

static void uart_dev_write(void* arg, bus_size_t off, uint32_t value, int width) {
  (void)arg;
  (void)off;
  (void)value;
  (void)width; /* receive-only: writes are ignored */
}

static const struct smp_device_ops uart_dev_ops = {uart_dev_read, uart_dev_write};

/* The line: a byte arrives, the device raises its interrupt. A thread
 * stands in for the wire, so the FIFO's own atomicity is spelled out: the
 * byte is stored before the count that makes it visible (membar_producer),
 * and the count is added to atomically (a read of RBR may take from it at
 * any moment). */
static void uart_dev_line(void* arg) {
  struct uart_dev* ud = arg;
  for (int i = 1; i <= ud->ud_bytes; i++) {
    if (atomic_load_relaxed(&ud->ud_count) == UART_DEV_FIFO) {
      ud->ud_overruns++;
    } else {
      ud->ud_fifo[ud->ud_tail] = (uint8_t)i;
      ud->ud_tail = (ud->ud_tail + 1) % UART_DEV_FIFO;
      membar_producer();
      atomic_inc_uint(&ud->ud_count);
    }
    smp_send_ipi(0, ud->ud_line);
  }
}

bus_space_handle_t uart_dev_attach(int line, int bytes) {
  struct uart_dev* ud = &uart_dev0;
  ud->ud_line = line;
  ud->ud_bytes = bytes;
  smp_thread_create("line", 1, uart_dev_line, ud);
  return smp_device_attach("uart0", &uart_dev_ops, ud);
}

int uart_dev_overruns(void) { return uart_dev0.ud_overruns; }
