/* A model of a receive-only UART, the device under targets/uart's driver.
 *
 * Registers, 16550-style: reading RBR (offset 0) pops the oldest received
 * byte; LSR (offset 5) has LSR_RXRDY set while a byte is waiting. The
 * "line" is a kernel thread of the device's own: it receives the bytes
 * 1, 2, ..., n one at a time into the device's FIFO and raises the
 * device's interrupt line on CPU 0 after each. A FIFO that is full drops
 * the byte and counts an overrun.
 *
 * Declarations (uart_dev_attach) are made from a scenario's setup. Each
 * register access is one scheduling point (a bus cycle, <sys/bus.h>); the
 * line thread's FIFO stores and its interrupt are one each. */
#ifndef SMPFUZZ_TARGETS_UART_UART_DEV_H_
#define SMPFUZZ_TARGETS_UART_UART_DEV_H_

#include <sys/bus.h>

#define UART_RBR 0
#define UART_LSR 5
#define LSR_RXRDY 0x01

#define UART_DEV_FIFO 4

/* Declaration. Attaches the device; returns its bus_space handle. `line`
 * is the interrupt line it raises (from the driver's establish), `bytes`
 * how many bytes the line thread receives. */
bus_space_handle_t uart_dev_attach(int line, int bytes);
/* Bytes the device dropped because its FIFO was full. For final checks. */
int uart_dev_overruns(void);

#endif /* SMPFUZZ_TARGETS_UART_UART_DEV_H_ */
