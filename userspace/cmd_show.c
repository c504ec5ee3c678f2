// SPDX-License-Identifier: GPL-2.0
/*
 * p2pctl show: the state of the module in this network namespace.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>

#include "keys.h"
#include "model_nl.h"
#include "p2pctl.h"
#include "print.h"

static const char *const stat_names[__P2P_STAT_MAX] = {
	[P2P_STAT_CONNS_ACTIVE] = "conns_active",
	[P2P_STAT_CONNS_TOTAL] = "conns_total",
	[P2P_STAT_CONNS_REFUSED] = "conns_refused",
	[P2P_STAT_AUTH_OK] = "auth_ok",
	[P2P_STAT_AUTH_FAILED] = "auth_failed",
	[P2P_STAT_AUTH_RATELIMITED] = "auth_ratelimited",
	[P2P_STAT_REQUESTS] = "requests",
	[P2P_STAT_ERRORS] = "errors",
	[P2P_STAT_BYTES_SENT] = "bytes_sent",
	[P2P_STAT_BYTES_SENT_ZEROCOPY] = "bytes_sent_zerocopy",
	[P2P_STAT_BYTES_RECV] = "bytes_recv",
	[P2P_STAT_FILES_PUT] = "files_put",
	[P2P_STAT_CONNS_EVICTED] = "conns_evicted",
	[P2P_STAT_DECRYPT_ERRORS] = "decrypt_errors",
	[P2P_STAT_RECORD_LIMIT] = "record_limit",
};

static void show_stats(const struct p2p_model *s)
{
	int t;

	print_human("counters:\n");
	print_obj_open("counters");
	for (t = P2P_STAT_PAD + 1; t < __P2P_STAT_MAX; t++) {
		if (!stat_names[t])
			continue;
		print_human("  %-20s ", stat_names[t]);
		print_u64(stat_names[t], "%" PRIu64 "\n", s->stats[t]);
	}
	print_obj_close();
}

static void show_host(const struct p2p_model *s)
{
	char b64[KEY_B64_LEN], c[8];

	key_to_b64(b64, s->pub);
	print_str("version", "p2pshare %s\n", s->version);
	print_str("hostkey", "host key:  %s\n", b64);
	print_obj_open("listener");
	if (s->listen_addr[0])
		print_str("address", NULL, s->listen_addr);
	else
		print_null("address", NULL);
	print_u64("port", NULL, s->port);
	print_human("listen port %u on %s ", s->port,
		    s->listen_addr[0] ? s->listen_addr : "every address");
	print_bool("active", "(active: %s)\n", s->active);
	if (s->cipher)
		print_str("cipher", "cipher:    %s (preferred)\n", p2p_cipher_label(s->cipher, c));
	else
		print_null("cipher", NULL);
	print_obj_close();
}

static void show_limits(const struct p2p_model *s)
{
	int i, n = 0;

	print_obj_open("limits");
	for (i = 0; i < P2P_LIMIT_COUNT; i++) {
		if (!s->has_limit[i])
			continue;
		print_human("%s%s ", n++ ? "  " : "limits:    ", p2p_limit_info[i].name);
		print_u64(p2p_limit_info[i].name, "%" PRIu64, s->limits[i]);
	}
	print_human("%s", n ? "\n" : "");
	print_obj_close();
}

static void show_export(const struct p2p_model_export *e)
{
	int i;

	print_obj_open(NULL);
	print_str("name", "  %-16s ", e->name);
	print_str("path", "%s", e->path);
	if (e->reachable >= 0)
		print_bool("reachable", NULL, e->reachable);
	print_human("%s\n", e->reachable ? "" :
		    "  (not reachable from this mount namespace: exported from another one)");
	if (e->has_dir_id) {
		print_u64("dev_major", NULL, e->dev_major);
		print_u64("dev_minor", NULL, e->dev_minor);
		print_u64("ino", NULL, e->ino);
	}
	print_u64("flags", NULL, e->flags);
	print_arr_open("grants");
	for (i = 0; i < e->n_grants; i++) {
		print_obj_open(NULL);
		print_str("user", "    %-16s ", e->grants[i].user);
		print_str("mode", "%s\n", p2p_grant_name(e->grants[i].mode));
		print_obj_close();
	}
	print_arr_close();
	print_obj_close();
}

static void show_user(const struct p2p_model_user *u)
{
	char b64[KEY_B64_LEN];

	key_to_b64(b64, u->pubkey);
	print_obj_open(NULL);
	print_str("name", "  %-16s ", u->name);
	print_str("pubkey", "%s ", b64);
	print_u64("uid", " uid %" PRIu64, u->uid);
	print_u64("gid", " gid %" PRIu64, u->gid);
	/* Capabilities are dropped, yet uid 0 owns root's files. */
	print_bool("root", NULL, !u->uid || !u->gid);
	print_human("%s\n", !u->uid ? "  !! ROOT: root's own file rights" :
		    !u->gid ? "  !! ROOT: group root's file rights" : "");
	print_obj_close();
}

/* 512 B, 1.2 KiB, 4.0 MiB... */
static const char *human_size(char *buf, size_t len, uint64_t n)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double v = n;
	int u = -1;

	if (n < 1024) {
		snprintf(buf, len, "%" PRIu64 " B", n);
		return buf;
	}
	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, "%.1f %s", v, units[u]);
	return buf;
}

/* 12s, 5m02s, 3h04m, 2d03h */
static const char *human_secs(char *buf, size_t len, uint32_t s)
{
	if (s < 60)
		snprintf(buf, len, "%us", s);
	else if (s < 3600)
		snprintf(buf, len, "%um%02us", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%uh%02um", s / 3600, s / 60 % 60);
	else
		snprintf(buf, len, "%ud%02uh", s / 86400, s / 3600 % 24);
	return buf;
}

static void show_conn(const struct p2p_model_conn *c)
{
	char peer[INET6_ADDRSTRLEN + 10], a[16], b[16], cn[8];
	int i;

	snprintf(peer, sizeof(peer), strchr(c->addr, ':') ? "[%s]:%u" : "%s:%u",
		 c->addr, c->port);
	print_obj_open(NULL);
	print_u64("id", NULL, c->id);
	print_str("address", NULL, c->addr);
	print_u64("port", NULL, c->port);
	print_human("  %-21s ", peer);
	if (c->handshake)
		print_null("user", "(handshake)     ");
	else
		print_str("user", "%-16s", c->user);
	print_bool("handshake", NULL, c->handshake);
	if (c->cipher)
		print_str("cipher", " %-17s", p2p_cipher_label(c->cipher, cn));
	else
		print_null("cipher", " -                ");
	print_human(" up %s", human_secs(a, sizeof(a), c->age));
	print_human(" idle %s", human_secs(b, sizeof(b), c->idle));
	print_u64("age", NULL, c->age);
	print_u64("idle", NULL, c->idle);
	print_human("  sent %s", human_size(a, sizeof(a), c->bytes_sent));
	print_human(" recv %s", human_size(b, sizeof(b), c->bytes_recv));
	print_u64("bytes_sent", NULL, c->bytes_sent);
	print_u64("bytes_recv", NULL, c->bytes_recv);
	print_u64("requests", "  requests %" PRIu64, c->requests);
	print_human("%s", c->n_exports ? "  exports " : "");
	print_arr_open("exports");
	for (i = 0; i < c->n_exports; i++)
		print_str(NULL, i ? ",%s" : "%s", c->exports[i]);
	print_arr_close();
	print_bool("exports_more", NULL, c->exports_more);
	print_human("%s\n", c->exports_more ? ",..." : "");
	print_obj_close();
}

static void show_conns(const struct p2p_model *s)
{
	int i;

	if (!s->has_conns)
		return;
	print_human("connections:%s\n", s->n_conns ? "" : " (none)");
	print_arr_open("connections");
	for (i = 0; i < s->n_conns; i++)
		show_conn(&s->conns[i]);
	print_arr_close();
}

static void show(const struct p2p_model *s)
{
	int i;

	show_host(s);
	show_limits(s);
	print_human("exports:%s\n", s->n_exports ? "" : "   (none)");
	print_arr_open("exports");
	for (i = 0; i < s->n_exports; i++)
		show_export(&s->exports[i]);
	print_arr_close();
	print_human("users:%s\n", s->n_users ? "" : "     (none)");
	print_arr_open("users");
	for (i = 0; i < s->n_users; i++)
		show_user(&s->users[i]);
	print_arr_close();
	show_conns(s);
	show_stats(s);
}

static const struct option json_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	CLI_OPTS_END
};

static int show_main(int argc, char **argv)
{
	struct p2p_model snap;
	struct p2p_nl nl;
	bool json = false;
	struct cli c;
	int o, ret;

	cli_init(&c, &cmd_show, argc, argv, "j", json_opts);
	while ((o = cli_next(&c)) > 0)
		json = true;
	if (o == CLI_STOP || cli_nargs(&c, 0, 0, NULL))
		return 1;
	if (p2p_nl_open(&nl))
		return 1;
	ret = model_read(&nl, &snap, MODEL_CONNS);
	p2p_nl_close(&nl);
	if (ret)
		return 1;
	print_start(json);
	show(&snap);
	print_end();
	p2p_model_free(&snap);
	return 0;
}

const struct command cmd_show = {
	.name = "show",
	.main = show_main,
	.usage = "[-j|--json]",
	.summary = "show the host key, exports, users, connections and counters",
	.help =
	"Show this host's state in the current network namespace: module\n"
	"version, host public key, listener, exports with their grants, users,\n"
	"open peer connections and counters.  Private keys are never shown (see\n"
	"p2pctl save).\n"
	"\n"
	"An export whose directory is not reachable from this mount namespace\n"
	"(exported from another one, as under ip netns exec) is marked so: its\n"
	"path names some other directory here.  A user mapped to uid 0 or gid 0\n"
	"is marked \"!! ROOT\": it reads and writes what root (or group root)\n"
	"may, capabilities or not.\n"
	"\n"
	"The listener's cipher is the record cipher the server picks when a\n"
	"client offers it (p2pctl listen --cipher; default aes-128-gcm).\n"
	"The limits are this namespace's (p2pctl limits): max_conns,\n"
	"max_user_conns, auth_burst and idle_timeout (seconds).\n"
	"\n"
	"A connection is one line: the peer's address and port, its user or\n"
	"\"(handshake)\" before it authenticated, the cipher of its records\n"
	"(\"-\" in the handshake), the time since it was accepted (up) and since\n"
	"its last request began (idle), the bytes sent to it and received from\n"
	"it, its requests and the exports it has used.\n"
	"\n"
	"Among the counters, decrypt_errors counts records that failed\n"
	"authentication (each ends its connection: tampering, or a broken\n"
	"peer), and record_limit the connections ended at the record limit of\n"
	"their keys (the client reconnects and goes on).\n"
	"\n"
	"Options:\n"
	"  -j, --json   print one JSON object instead of the human form.  Keys:\n"
	"               version, hostkey, listener {address (null: every\n"
	"               address), port, active, cipher}, limits {max_conns,\n"
	"               max_user_conns, auth_burst, idle_timeout}, exports [{name, path,\n"
	"               reachable, dev_major, dev_minor, ino, flags, grants\n"
	"               [{user, mode}]}], users [{name, pubkey, uid, gid,\n"
	"               root}], connections [{id, address, port, user (null in\n"
	"               the handshake), handshake, cipher (null in the\n"
	"               handshake), age, idle (seconds),\n"
	"               bytes_sent, bytes_recv, requests, exports [names],\n"
	"               exports_more}], counters {NAME: value}.\n"
	"\n"
	"Example:\n"
	"  p2pctl show -j | python3 -m json.tool\n"
	"\n"
	"Exit status: 0, or 1 with a one-line reason on stderr.\n",
};
