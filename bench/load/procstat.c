/* SPDX-License-Identifier: MIT */
/* /proc sampling (contract in procstat.h). */
#include "procstat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static int procstat__cpu(int pid, double *cpu_s)
{
	char path[64], buf[2048];
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* the command name may hold spaces and parentheses: fields start after the last ')' */
	char *p = strrchr(buf, ')');
	if (!p)
		return -1;
	p++;
	/* fields 3.. follow; utime and stime are fields 14 and 15 */
	unsigned long long ut = 0, st = 0;
	int field = 2;
	char *save = NULL;
	for (char *tok = strtok_r(p, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		field++;
		char *end;
		if (field == 14)
			ut = strtoull(tok, &end, 10);
		else if (field == 15) {
			st = strtoull(tok, &end, 10);
			break;
		}
	}
	if (field != 15)
		return -1;
	long hz = sysconf(_SC_CLK_TCK);
	*cpu_s = (double)(ut + st) / (double)(hz > 0 ? hz : 100);
	return 0;
}

static uint64_t procstat__kib(const char *status, const char *key)
{
	const char *p = strstr(status, key);
	if (!p)
		return 0;
	p += strlen(key);
	while (*p == ' ' || *p == '\t' || *p == ':')
		p++;
	char *end;
	return strtoull(p, &end, 10);
}

int procstat_read(int pid, struct procstat *out)
{
	memset(out, 0, sizeof *out);
	if (pid <= 0 || procstat__cpu(pid, &out->cpu_s) != 0)
		return -1;
	char path[64], buf[8192];
	snprintf(path, sizeof path, "/proc/%d/status", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	out->rss_kib = procstat__kib(buf, "\nVmRSS");
	out->hwm_kib = procstat__kib(buf, "\nVmHWM");
	return 0;
}

double procstat_machine_busy(void)
{
	char line[256];
	FILE *f = fopen("/proc/stat", "r");
	if (!f)
		return 0;
	char *ok = fgets(line, sizeof line, f);
	fclose(f);
	unsigned long long v[8] = {0};
	if (!ok || sscanf(line, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
			  &v[3], &v[4], &v[5], &v[6], &v[7]) != 8)
		return 0;
	/* user nice system [idle iowait] irq softirq steal */
	unsigned long long busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
	long hz = sysconf(_SC_CLK_TCK);
	return (double)busy / (double)(hz > 0 ? hz : 100);
}

double procstat_self_cpu(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

uint64_t procstat_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
