/*
 * progress.c - a progress bar on stderr for long passes over layers:
 * bytes done / total and rate, redrawn 5 times a second by a helper
 * thread, only when stderr is a terminal.  The counter is updated by the
 * workers with relaxed atomic adds (sc_stream_count_new).
 */
#include "cli/cli.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct sc_progress {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;
	int running;
	uint64_t counter;
	uint64_t total;
	char label[64];
	struct timespec t0;
};

static double elapsed(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

static void draw(sc_progress *p)
{
	uint64_t done = __atomic_load_n(&p->counter, __ATOMIC_RELAXED);
	double secs = elapsed(&p->t0), frac = p->total ? (double)done / (double)p->total : 0;
	char a[32], b[32], r[32];
	char bar[31];
	int i, fill;

	if (frac > 1)
		frac = 1;
	fill = (int)(frac * 30);
	for (i = 0; i < 30; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[30] = '\0';
	sc_cli_size(done, a, sizeof(a));
	sc_cli_size(p->total, b, sizeof(b));
	sc_cli_size(secs > 0 ? (uint64_t)((double)done / secs) : 0, r, sizeof(r));
	fprintf(stderr, "\r\033[K%s [%s] %3d%% %s / %s %s/s", p->label, bar, (int)(frac * 100), a, b, r);
	fflush(stderr);
}

static void *run(void *arg)
{
	sc_progress *p = arg;

	pthread_mutex_lock(&p->mu);
	draw(p); /* at once, so even a short pass shows it ran */
	while (!p->stop) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 200 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&p->cv, &p->mu, &ts);
		if (!p->stop)
			draw(p);
	}
	pthread_mutex_unlock(&p->mu);
	fprintf(stderr, "\r\033[K");
	fflush(stderr);
	return NULL;
}

sc_progress *sc_progress_start(const char *label, uint64_t total, int enabled)
{
	sc_progress *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->total = total;
	snprintf(p->label, sizeof(p->label), "%s", label);
	clock_gettime(CLOCK_MONOTONIC, &p->t0);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	if (enabled && isatty(STDERR_FILENO) && pthread_create(&p->th, NULL, run, p) == 0)
		p->running = 1;
	return p;
}

uint64_t *sc_progress_counter(sc_progress *p)
{
	return p ? &p->counter : NULL;
}

void sc_progress_stop(sc_progress *p)
{
	if (!p)
		return;
	if (p->running) {
		pthread_mutex_lock(&p->mu);
		p->stop = 1;
		pthread_cond_signal(&p->cv);
		pthread_mutex_unlock(&p->mu);
		pthread_join(p->th, NULL);
	}
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p);
}
