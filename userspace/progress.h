/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A one-line progress bar on stderr for get and put: bytes, percentage,
 * rate and time left. It shows only when stderr is a terminal, redraws at
 * most five times a second and clears its line at the end, so that what
 * follows (an error, the shell prompt) starts on a clean line.
 */
#ifndef P2PCTL_PROGRESS_H
#define P2PCTL_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct progress {
	bool on;
	bool cleared;		/* by progress_clear: draw at the next update */
	const char *label;
	uint64_t first;		/* bytes present when we started (resume) */
	uint64_t done;		/* bytes present now */
	uint64_t total;
	double t_start;
	double t_last;		/* last redraw */
	uint64_t done_last;	/* done at the last redraw */
	double rate;		/* bytes/s, smoothed */
	const char *extra;	/* after the figures, cut to the width: NULL */
};

void progress_begin(struct progress *p, const char *label, uint64_t done,
		    uint64_t total);
void progress_update(struct progress *p, uint64_t done);
/* Clear the line; safe to call twice or when the bar is off. */
void progress_end(struct progress *p);
/* Clear the line for a message; the next update draws the bar again. */
void progress_clear(struct progress *p);

/* "999 B", "12.3 KiB", "1.0 GiB" */
void fmt_bytes(char *buf, size_t len, uint64_t n);
/* "0:07", "12:34", "1:02:03"; "--:--" when unknown */
void fmt_duration(char *buf, size_t len, double secs);

#endif /* P2PCTL_PROGRESS_H */
