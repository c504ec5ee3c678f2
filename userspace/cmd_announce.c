// SPDX-License-Identifier: GPL-2.0
/*
 * p2pctl announce: this host's _p2pshare._tcp service for avahi-daemon, as
 * a static service file (avahi-daemon reloads its services directory when
 * a file there changes).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keytext.h"
#include "mdns.h"
#include "model_nl.h"
#include "p2pctl.h"

#define DEFAULT_NAME	"p2pshare on %h"	/* %h: avahi's host name */

struct announce_args {
	const char *file;
	const char *name;
	bool off;
};

static int parse_args(int argc, char **argv, struct announce_args *a)
{
	static const struct option opts[] = {
		{ "off", no_argument, NULL, 'o' },
		{ "file", required_argument, NULL, 'f' },
		{ "name", required_argument, NULL, 'n' },
		CLI_OPTS_END
	};
	struct cli c;
	int o;

	cli_init(&c, &cmd_announce, argc, argv, "", opts);
	while ((o = cli_next(&c)) > 0) {
		if (o == 'o')
			a->off = true;
		else if (o == 'f')
			a->file = optarg;
		else
			a->name = optarg;
	}
	if (o == CLI_STOP || cli_nargs(&c, 0, 0, NULL))
		return 1;
	if (a->name && (!*a->name || strlen(a->name) > 63))
		return usage_err(&cmd_announce, "--name needs 1-63 bytes");
	if (a->off && a->name)
		return usage_err(&cmd_announce, "--off takes no --name");
	return 0;
}

static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else if ((unsigned char)*s >= 0x20)
			fputc(*s, f);
	}
}

static void service_xml(FILE *f, const char *name, const struct p2p_model *m)
{
	char b64[KEY_B64_LEN];

	key_to_b64(b64, m->pub);
	fprintf(f, "<?xml version=\"1.0\" standalone=\"no\"?>\n"
		"<!DOCTYPE service-group SYSTEM \"avahi-service.dtd\">\n"
		"<!-- Written by p2pctl announce, which also removes it (option off). -->\n"
		"<service-group>\n  <name replace-wildcards=\"yes\">");
	xml_text(f, name);
	fprintf(f, "</name>\n  <service>\n    <type>%s</type>\n"
		"    <port>%u</port>\n"
		"    <txt-record>txtvers=%s</txt-record>\n"
		"    <txt-record>pk=%s</txt-record>\n"
		"  </service>\n</service-group>\n",
		MDNS_TYPE, m->port, MDNS_TXT_VERSION, b64);
}

/* Beside the target and renamed over it: avahi-daemon never reads half a
 * file (it loads only names ending in .service). */
static int write_file(const char *path, const char *name, const struct p2p_model *m)
{
	char *tmp = NULL, *dir = strdup(path);
	int fd = -1, e = ENOMEM;
	FILE *f = NULL;

	if (!dir || asprintf(&tmp, "%s/.p2pshare-XXXXXX", dirname(dir)) < 0)
		goto fail;
	fd = mkstemp(tmp);
	if (fd < 0 || fchmod(fd, 0644) || !(f = fdopen(fd, "w")))
		goto fail_errno;
	fd = -1;
	service_xml(f, name, m);
	if (fflush(f) || fsync(fileno(f)))
		goto fail_errno;
	if (fclose(f)) {
		f = NULL;
		goto fail_errno;
	}
	f = NULL;
	if (rename(tmp, path))
		goto fail_errno;
	free(tmp);
	free(dir);
	return 0;
fail_errno:
	e = errno;
	if (tmp && (fd >= 0 || f))
		unlink(tmp);
fail:
	if (f)
		fclose(f);
	else if (fd >= 0)
		close(fd);
	if (e == ENOENT && !strcmp(path, MDNS_SERVICE_FILE))
		err("cannot write %s: no directory /etc/avahi/services "
		    "(install avahi-daemon: apt install avahi-daemon)", path);
	else
		err("cannot write %s: %s", path, strerror(e));
	free(tmp);
	free(dir);
	return 1;
}

static int announce_off(const char *path)
{
	if (unlink(path) && errno != ENOENT) {
		err("cannot remove %s: %s", path, strerror(errno));
		return 1;
	}
	return 0;
}

static int announce_on(const struct announce_args *a)
{
	struct p2p_model m;
	struct p2p_nl nl;
	char b64[KEY_B64_LEN];
	const char *why;
	int ret;

	if (p2p_nl_open(&nl))
		return 1;
	ret = model_read(&nl, &m, 0);
	p2p_nl_close(&nl);
	if (ret)
		return 1;
	ret = write_file(a->file, a->name ? a->name : DEFAULT_NAME, &m);
	if (!ret) {
		key_to_b64(b64, m.pub);
		printf("announcing %s port %u, host key %s (%s)\n", MDNS_TYPE,
		       m.port, b64, a->file);
		if (!m.n_exports)
			fprintf(stderr, "%s: note: nothing is exported yet; the "
				"server listens from the first export on\n", prog);
		why = mdns_unavailable();
		if (why)
			fprintf(stderr, "%s: note: %s; the file waits for it\n",
				prog, why);
	}
	p2p_model_free(&m);
	return ret;
}

static int announce_main(int argc, char **argv)
{
	struct announce_args a = { .file = MDNS_SERVICE_FILE };

	if (parse_args(argc, argv, &a))
		return 1;
	return a.off ? announce_off(a.file) : announce_on(&a);
}

const struct command cmd_announce = {
	.name = "announce",
	.main = announce_main,
	.usage = "[--off] [--name NAME] [--file FILE]",
	.summary = "announce this host on the local network (mDNS, avahi-daemon)",
	.help =
	"Announce this host's server on the local links over mDNS/DNS-SD, as\n"
	"the service _p2pshare._tcp with this namespace's listening port and,\n"
	"in its TXT record, its host key (pk=BASE64; txtvers=1), so that peers\n"
	"find it with p2pctl discover and can pin its key on first contact\n"
	"with get --trust-discovered.  avahi-daemon does the announcing: this\n"
	"command writes its static service file (mode 0644; written beside it\n"
	"and renamed over it), and avahi-daemon picks the change up by\n"
	"itself, now or when it starts.  Nothing is announced unless you run\n"
	"this: announcing tells everyone on the link that the host serves\n"
	"p2pshare.  The file records the key and port of the moment: after\n"
	"p2pctl listen :PORT or hostkey set, run announce again.  avahi-daemon\n"
	"announces every address of the machine, so a server bound to one\n"
	"address (p2pctl listen ADDR) is announced on the others too.  With\n"
	"several network namespaces, each announcing one needs its own\n"
	"avahi-daemon and service directory (--file).\n"
	"\n"
	"Options:\n"
	"  --off            stop announcing: remove the file (no error if it\n"
	"                   is not there)\n"
	"  --name NAME      the service name shown to peers, 1-63 bytes;\n"
	"                   avahi-daemon replaces %h by its host name\n"
	"                   (default: \"" DEFAULT_NAME "\")\n"
	"  --file FILE      the service file (default: " MDNS_SERVICE_FILE ")\n"
	"\n"
	"Examples:\n"
	"  p2pctl announce\n"
	"  p2pctl announce --name \"music on %h\"\n"
	"  p2pctl announce --off\n"
	"\n"
	"Exit status: 0, or 1 with a one-line reason on stderr (module not\n"
	"loaded, no /etc/avahi/services: install avahi-daemon).\n",
};
