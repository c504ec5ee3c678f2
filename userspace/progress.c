// SPDX-License-Identifier: GPL-2.0
/*
 * Progress bar for transfers, on stderr when it is a terminal.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "escape.h"
#include "progress.h"

#define REDRAW_S	0.2	/* at most five redraws a second */
#define LINE_MAX_COLS	200

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int columns(void)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) || ws.ws_col < 20)
		return 80;
	return ws.ws_col < LINE_MAX_COLS ? ws.ws_col : LINE_MAX_COLS;
}

void fmt_bytes(char *buf, size_t len, uint64_t n)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = n;
	int i = -1;

	if (n < 1024) {
		snprintf(buf, len, "%u B", (unsigned int)n);
		return;
	}
	while (v >= 1024 && i < 4) {
		v /= 1024;
		i++;
	}
	snprintf(buf, len, "%.1f %s", v, unit[i]);
}

void fmt_duration(char *buf, size_t len, double secs)
{
	unsigned long s;

	if (!isfinite(secs) || secs < 0 || secs > 360000) {
		snprintf(buf, len, "--:--");
		return;
	}
	s = (unsigned long)(secs + 0.5);
	if (s >= 3600)
		snprintf(buf, len, "%lu:%02lu:%02lu", s / 3600, s / 60 % 60,
			 s % 60);
	else
		snprintf(buf, len, "%lu:%02lu", s / 60, s % 60);
}

/* "[=====>    ]" in width columns (at least 3). */
static void bar(char *buf, int width, uint64_t done, uint64_t total)
{
	int inner = width - 2, fill;

	fill = total ? (int)((double)done / total * inner) : inner;
	if (fill > inner)
		fill = inner;
	buf[0] = '[';
	memset(buf + 1, '=', fill);
	memset(buf + 1 + fill, ' ', inner - fill);
	if (fill > 0 && fill < inner)
		buf[fill] = '>';
	buf[width - 1] = ']';
	buf[width] = '\0';
}

static void draw(struct progress *p)
{
	char done[16], total[16], rate[16], left[16], stats[96];
	char line[LINE_MAX_COLS + 1], b[LINE_MAX_COLS + 1], label[128];
	int cols = columns(), pct, room;

	pct = p->total ? (int)((double)p->done * 100 / p->total) : 100;
	fmt_bytes(done, sizeof(done), p->done);
	fmt_bytes(total, sizeof(total), p->total);
	fmt_bytes(rate, sizeof(rate), (uint64_t)p->rate);
	fmt_duration(left, sizeof(left), p->rate > 0 ?
		     (p->total - p->done) / p->rate : -1);
	/* fixed widths, so that the bar does not jump */
	snprintf(stats, sizeof(stats), " %3d%% %10s / %-10s %10s/s %8s left",
		 pct, done, total, rate, left);
	room = cols - 1 - (int)strlen(stats);
	/* a remote name: no control character reaches the terminal */
	p2p_esc_text(label, sizeof(label), p->label, strlen(p->label));
	if (room >= 12) {	/* a label of at most 30 columns, a bar of 10-50 */
		int lw = (int)strlen(label), bw;

		lw = lw > 30 ? 30 : lw;
		lw = lw > room - 11 ? room - 11 : lw;
		bw = room - lw - 1 > 50 ? 50 : room - lw - 1;
		bar(b, bw, p->done, p->total);
		snprintf(line, sizeof(line), "%.*s %s%s", lw, label, b, stats);
	} else {
		snprintf(line, sizeof(line), "%.*s", cols - 1, stats + 1);
	}
	room = cols - 1 - (int)strlen(line);
	if (p->extra && room > 4)
		snprintf(line + strlen(line), sizeof(line) - strlen(line),
			 " %.*s", room - 1, p->extra);
	fprintf(stderr, "\r%s\033[K", line);
	fflush(stderr);
}

void progress_begin(struct progress *p, const char *label, uint64_t done,
		    uint64_t total)
{
	memset(p, 0, sizeof(*p));
	p->on = isatty(STDERR_FILENO);
	p->label = label;
	p->first = p->done = p->done_last = done;
	p->total = total;
	p->t_start = p->t_last = now();
	if (p->on)
		draw(p);
}

void progress_update(struct progress *p, uint64_t done)
{
	double t, inst;

	p->done = done;
	if (!p->on)
		return;
	t = now();
	if (t - p->t_last < REDRAW_S && done < p->total && !p->cleared)
		return;
	if (t - p->t_last > 1e-3) {
		inst = (done - p->done_last) / (t - p->t_last);
		p->rate = p->rate > 0 ? 0.7 * p->rate + 0.3 * inst : inst;
		p->t_last = t;
		p->done_last = done;
	}
	p->cleared = false;
	draw(p);
}

void progress_end(struct progress *p)
{
	if (!p->on)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	p->on = false;
}

void progress_clear(struct progress *p)
{
	if (!p->on)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	p->cleared = true;
}
