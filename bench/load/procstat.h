/* SPDX-License-Identifier: MIT */
/* What a server process costs, read from /proc/<pid>: CPU time of all its
 * threads and resident memory; and the load tool's own CPU time, so that a
 * client-bound run shows. Any thread. */
#ifndef PARTA_BENCH_PROCSTAT_H
#define PARTA_BENCH_PROCSTAT_H

#include <stdint.h>

struct procstat {
	double cpu_s;       /* user + system time since the process started */
	uint64_t rss_kib;   /* VmRSS */
	uint64_t hwm_kib;   /* VmHWM: peak resident size */
};

/* Fill out for pid. Returns 0, or -1 if the process is gone or unreadable. */
int procstat_read(int pid, struct procstat *out);
/* CPU seconds all processes of the machine have been busy (not idle or
 * waiting for I/O) since boot, summed over cores; 0 if unreadable. */
double procstat_machine_busy(void);
/* User + system CPU seconds used by this process so far. */
double procstat_self_cpu(void);
/* Monotonic clock in ns. */
uint64_t procstat_now_ns(void);

#endif
