#ifndef KABAR_CLOCK_H
#define KABAR_CLOCK_H

#include <stdint.h>

/* Milliseconds on the monotonic clock: for timeouts, intervals and how long
 * a load took, never for dates (a wall clock jumps when it is set). */
int64_t monotonic_ms(void);

#endif
