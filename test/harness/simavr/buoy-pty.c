/*
 * Test harness: runs the buoy sketch on a simulated ATmega328P (an Arduino Uno
 * at 16 MHz) with simavr, its UART on a pseudo-terminal.
 *
 *   buoy-pty FIRMWARE(.elf|.hex) LINK ADC0_MILLIVOLTS
 *
 * - prints "PTY /dev/pts/N" (one line on stdout) and makes LINK a symlink to it;
 * - puts ADC0_MILLIVOLTS on the A0 pin (what the battery divider would give);
 * - pulls D2 high as the 4.7 kOhm resistor does on the 1-Wire line (no probe
 *   is simulated, so the sketch sees no presence pulse);
 * - holds the sketch until a reader has opened the pty, so that no line is
 *   written before anyone listens;
 * - runs until SIGTERM or SIGINT, then exits at once (uart_pty_stop() would
 *   hang), removing LINK.
 *
 * simavr is GPL: this harness is for tests only and is not part of the package.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <avr_adc.h>
#include <avr_ioport.h>
#include <sim_avr.h>
#include <sim_elf.h>
#include <sim_hex.h>
#include <uart_pty.h>

static char link_path[4096];
static uart_pty_t uart;

static void on_signal(int sig) {
  (void)sig;
  if (link_path[0]) unlink(link_path);
  _exit(0);
}

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int load_firmware(const char *path, elf_firmware_t *fw) {
  memset(fw, 0, sizeof(*fw));
  if (!ends_with(path, ".hex")) return elf_read_firmware(path, fw);
  ihex_chunk_p chunks = NULL;
  int count = read_ihex_chunks(path, &chunks);
  if (count <= 0) return -1;
  for (int i = 0; i < count; i++) {
    if (chunks[i].baseaddr < (1 << 20)) {  // flash, not eeprom
      fw->flash = chunks[i].data;
      fw->flashsize = chunks[i].size;
      fw->flashbase = chunks[i].baseaddr;
      return 0;
    }
  }
  return -1;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s FIRMWARE(.elf|.hex) LINK ADC0_MILLIVOLTS\n", argv[0]);
    return 2;
  }
  const char *firmware = argv[1];
  char *end = NULL;
  long adc_mv = strtol(argv[3], &end, 10);
  if (*argv[3] == '\0' || *end != '\0' || adc_mv < 0 || adc_mv > 5000) {
    fprintf(stderr, "buoy-pty: ADC0_MILLIVOLTS must be 0..5000, not '%s'\n", argv[3]);
    return 2;
  }
  if (strlen(argv[2]) >= sizeof(link_path)) {
    fprintf(stderr, "buoy-pty: LINK path too long\n");
    return 2;
  }

  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
  prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlive the test that started us

  // simavr and uart_pty print chatter on stdout; stdout carries only our PTY line.
  unsetenv("SIMAVR_UART_TAP");
  unsetenv("SIMAVR_UART_XTERM");
  fflush(stdout);
  int saved_stdout = dup(STDOUT_FILENO);
  dup2(STDERR_FILENO, STDOUT_FILENO);

  elf_firmware_t fw;
  if (load_firmware(firmware, &fw) != 0) {
    fprintf(stderr, "buoy-pty: cannot read firmware '%s'\n", firmware);
    return 1;
  }
  avr_t *avr = avr_make_mcu_by_name("atmega328p");
  if (!avr) {
    fprintf(stderr, "buoy-pty: simavr has no atmega328p\n");
    return 1;
  }
  avr_init(avr);
  avr_load_firmware(avr, &fw);
  avr->frequency = 16000000;
  avr->vcc = avr->avcc = avr->aref = 5000;

  uart_pty_init(avr, &uart);
  uart_pty_connect(&uart, '0');
  fflush(stdout);
  dup2(saved_stdout, STDOUT_FILENO);
  close(saved_stdout);
  if (uart.pty.slavename[0] == '\0') {
    fprintf(stderr, "buoy-pty: no pseudo-terminal\n");
    return 1;
  }

  // Battery divider output on A0, in millivolts.
  avr_raise_irq(avr_io_getirq(avr, AVR_IOCTL_ADC_GETIRQ, ADC_IRQ_ADC0), (uint32_t)adc_mv);

  // The 1-Wire pull-up on D2 (PD2): high whenever the sketch releases the line.
  avr_ioport_external_t pull = {.name = 'D', .mask = 1 << 2, .value = 1 << 2};
  avr_ioctl(avr, AVR_IOCTL_IOPORT_SET_EXTERNAL('D'), &pull);
  avr_raise_irq(avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ('D'), 2), 1);

  // Watch for the reader's open before anyone can know the path.
  int watch = inotify_init1(IN_CLOEXEC);
  if (watch < 0 || inotify_add_watch(watch, uart.pty.slavename, IN_OPEN) < 0) {
    fprintf(stderr, "buoy-pty: inotify on %s: %s\n", uart.pty.slavename, strerror(errno));
    return 1;
  }
  unlink(argv[2]);
  if (symlink(uart.pty.slavename, argv[2]) != 0) {
    fprintf(stderr, "buoy-pty: symlink %s: %s\n", argv[2], strerror(errno));
    return 1;
  }
  strcpy(link_path, argv[2]);
  printf("PTY %s\n", uart.pty.slavename);
  fflush(stdout);

  char events[sizeof(struct inotify_event) + 256];
  while (read(watch, events, sizeof(events)) < 0) {
    if (errno != EINTR) {
      fprintf(stderr, "buoy-pty: waiting for a reader: %s\n", strerror(errno));
      return 1;
    }
  }
  close(watch);
  fprintf(stderr, "buoy-pty: reader on %s, running %s\n", uart.pty.slavename, firmware);

  for (;;) {
    int state = avr_run(avr);
    if (state == cpu_Done || state == cpu_Crashed) {
      fprintf(stderr, "buoy-pty: the simulated MCU stopped (state %d)\n", state);
      unlink(link_path);
      _exit(state == cpu_Done ? 0 : 1);
    }
  }
}
