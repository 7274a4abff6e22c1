/*
 * kabar: the command line. `serve` (the default) loads the configuration and
 * every site, hands them to the server and follows SIGHUP reloads; `check`
 * reads the configuration and every article and reports each problem;
 * `render` and `new` are the editors' commands (editor.c).
 */
#include "alloc.h"
#include "buf.h"
#include "config.h"
#include "editor.h"
#include "lang.h"
#include "loader.h"
#include "log.h"
#include "runtime.h"
#include "sandbox.h"
#include "server.h"
#include "site.h"
#include "tls.h"
#include "verify.h"

#include <ctype.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define EXIT_USAGE 2
/* Far more threads than any machine has cores: a typo, not a setting. */
#define MAX_WORKERS 100000

static const char usage_text[] =
	"usage: kabar [serve] [OPTIONS]\n"
	"       kabar check [OPTIONS] [DIR]\n"
	"       kabar render [OPTIONS] FILE [--gemini | --gopher]\n"
	"       kabar new [OPTIONS] [--section NAME] [--author NAME] HEADLINE\n"
	"       kabar editor NAME CERT\n"
	"       kabar --version | --help\n"
	"\n"
	"commands:\n"
	"  serve    serve the capsule over Gemini (TLS) and Gopher (the default)\n"
	"  check    read the configuration and every article; print each problem\n"
	"           as FILE:LINE: reason and a line \"N articles, N problems\";\n"
	"           exit 1 if there was any problem. DIR checks that folder of\n"
	"           articles instead of the configured capsule. Links to nothing\n"
	"           are warnings (problems with --strict); articles dated by\n"
	"           their file's time are noted; both are counted after the\n"
	"           problems when there are any.\n"
	"  render   print FILE as readers will see it: gemtext (--gemini, the\n"
	"           default) or Gopher text (--gopher), with the host's zone,\n"
	"           language and width; says on stderr when it is a draft, a\n"
	"           redirect or scheduled. A broken article: FILE:LINE: reason,\n"
	"           exit 1.\n"
	"  new      start CAPSULE/news/YYYY-MM-DD-slug.md for HEADLINE and print\n"
	"           its path: title, date (now, in the host's zone), author\n"
	"           (--author, else $USER), section, tags and \"draft: true\":\n"
	"           delete that line to publish. Never overwrites a file.\n"
	"  editor   print the kabar.yaml entry that lets NAME publish with Titan\n"
	"           from the client certificate in the PEM file CERT (its SHA-256\n"
	"           fingerprint); edit its paths, add it under editors:, reload.\n"
	"\n"
	"options:\n"
	"  -c, --config FILE        read settings from this YAML file (none by default)\n"
	"      --capsule DIR        the default host's capsule (default ./capsule)\n"
	"      --host NAME          the default host's name (default localhost)\n"
	"      --gemini ADDR:PORT   serve Gemini here (repeatable)\n"
	"      --gopher ADDR:PORT   serve Gopher here (repeatable)\n"
	"      --certs DIR          certificates, made on first start (default ./certs)\n"
	"      --workers N          worker threads (default: one per core)\n"
	"      --strict             check: count links to nothing as problems\n"
	"  -h, --help               show this help\n"
	"  -V, --version            show the version\n"
	"\n"
	"Options win over the file; any --gemini or --gopher replaces every address\n"
	"the file gives. ADDR is an IPv4 address such as 127.0.0.1, an IPv6 address\n"
	"in brackets such as [::1], a host name, or * for every IPv4 and IPv6\n"
	"address; port 0 picks a free port. With no file and no options kabar\n"
	"serves ./capsule as localhost, Gemini on localhost:1965 and Gopher on\n"
	"localhost:70 (localhost meaning 127.0.0.1 and ::1).\n"
	"Started as root, kabar binds its ports, then runs as the configured user.\n"
	"Signals: SIGHUP reloads the configuration, SIGUSR1 reopens the access log,\n"
	"SIGTERM stops.\n";

enum option_id {
	OPT_CAPSULE = 256,
	OPT_HOST,
	OPT_GEMINI,
	OPT_GOPHER,
	OPT_CERTS,
	OPT_WORKERS,
	OPT_SECTION,
	OPT_AUTHOR,
	OPT_RENDER_GEMINI,
	OPT_RENDER_GOPHER,
	OPT_STRICT,
};

static const struct option long_options[] = {
	{"config", required_argument, NULL, 'c'},
	{"capsule", required_argument, NULL, OPT_CAPSULE},
	{"host", required_argument, NULL, OPT_HOST},
	{"gemini", required_argument, NULL, OPT_GEMINI},
	{"gopher", required_argument, NULL, OPT_GOPHER},
	{"certs", required_argument, NULL, OPT_CERTS},
	{"workers", required_argument, NULL, OPT_WORKERS},
	{"section", required_argument, NULL, OPT_SECTION},
	{"author", required_argument, NULL, OPT_AUTHOR},
	{"strict", no_argument, NULL, OPT_STRICT},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

/* render's --gemini and --gopher choose an output, not a listener. */
static const struct option render_options[] = {
	{"config", required_argument, NULL, 'c'},
	{"capsule", required_argument, NULL, OPT_CAPSULE},
	{"host", required_argument, NULL, OPT_HOST},
	{"gemini", no_argument, NULL, OPT_RENDER_GEMINI},
	{"gopher", no_argument, NULL, OPT_RENDER_GOPHER},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

/* What the command line asked for. The overrides' listen array is owned
 * here. */
struct options {
	const char *command;
	const char *operand; /* check's DIR, render's FILE, new's HEADLINE, editor's NAME */
	const char *cert;    /* editor's CERT */
	const char *section; /* new */
	const char *author;  /* new */
	enum editor_output output; /* render */
	bool strict;               /* check */
	struct config_overrides over;
};

static void options_free(struct options *opt)
{
	for (size_t i = 0; i < opt->over.n_listen; i++)
		free(opt->over.listen[i].host);
	free(opt->over.listen);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A bad command line: what was wrong, then the usage, on stderr. */
static int usage_error(const char *fmt, ...)
{
	va_list ap;
	fputs("kabar: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", usage_text);
	return EXIT_USAGE;
}

static int add_listen(struct options *opt, const char *text, enum output proto)
{
	struct listen_addr addr;
	if (config_parse_listen(text, proto, &addr) < 0)
		return usage_error("\"%s\" is not an address and port such as 127.0.0.1:1965, "
		                   "[::1]:1965 or *:1965", text);
	opt->over.listen = xreallocarray(opt->over.listen, opt->over.n_listen + 1,
	                                 sizeof *opt->over.listen);
	opt->over.listen[opt->over.n_listen++] = addr;
	return 0;
}

static int parse_workers(struct options *opt, const char *text)
{
	char *end;
	long n = strtol(text, &end, 10);
	if (end == text || *end != '\0' || n < 0 || n > MAX_WORKERS)
		return usage_error("--workers: \"%s\" is not a number of threads", text);
	opt->over.workers = (int)n;
	return 0;
}

/* The option just read: 0 to go on, or the exit status (-1 meaning exit 0
 * after --help or --version). */
static int take_option(struct options *opt, int c, char **argv)
{
	switch (c) {
	case 'c': opt->over.config_file = optarg; return 0;
	case OPT_CAPSULE: opt->over.capsule = optarg; return 0;
	case OPT_HOST: opt->over.host = optarg; return 0;
	case OPT_CERTS: opt->over.certs_dir = optarg; return 0;
	case OPT_GEMINI: return add_listen(opt, optarg, OUTPUT_GEMINI);
	case OPT_GOPHER: return add_listen(opt, optarg, OUTPUT_GOPHER);
	case OPT_WORKERS: return parse_workers(opt, optarg);
	case OPT_SECTION: opt->section = optarg; return 0;
	case OPT_AUTHOR: opt->author = optarg; return 0;
	case OPT_RENDER_GEMINI: opt->output = EDITOR_GEMINI; return 0;
	case OPT_RENDER_GOPHER: opt->output = EDITOR_GOPHER; return 0;
	case OPT_STRICT:
		if (strcmp(opt->command, "check") != 0)
			return usage_error("--strict is an option of check");
		opt->strict = true;
		return 0;
	case 'h': fputs(usage_text, stdout); return -1;
	case 'V': printf("kabar %s\n", KABAR_VERSION); return -1;
	case ':': return usage_error("%s needs a value", argv[optind - 1]);
	default: return usage_error("unknown option %s", argv[optind - 1]);
	}
}

static bool command_is(const struct options *opt, const char *name)
{
	return strcmp(opt->command, name) == 0;
}

/* The operand each command takes: check's optional DIR; render's FILE and
 * new's HEADLINE, which they need. */
static int take_operand(struct options *opt, int argc, char **argv)
{
	bool takes = command_is(opt, "check") || command_is(opt, "render") || command_is(opt, "new") ||
	             command_is(opt, "editor");
	if (takes && optind < argc)
		opt->operand = argv[optind++];
	if (command_is(opt, "editor") && optind < argc)
		opt->cert = argv[optind++];
	if (optind < argc)
		return usage_error("unexpected argument \"%s\"", argv[optind]);
	if (opt->operand == NULL && command_is(opt, "render"))
		return usage_error("render needs the FILE of an article");
	if (opt->operand == NULL && command_is(opt, "new"))
		return usage_error("new needs the HEADLINE of the article");
	if (opt->cert == NULL && command_is(opt, "editor"))
		return usage_error("editor needs the editor's NAME and the CERT file of their client certificate");
	return 0;
}

static int parse_command_line(int argc, char **argv, struct options *opt)
{
	int c, status;
	const struct option *table = long_options;
	memset(opt, 0, sizeof *opt);
	opt->over.workers = -1;
	opt->command = "serve";
	optind = 1;
	if (argc > 1 && argv[1][0] != '-') {
		opt->command = argv[1];
		optind = 2;
	}
	if (command_is(opt, "render"))
		table = render_options;
	opterr = 0;
	/* Options may follow the operand ("render FILE --gopher"): getopt_long
	 * moves operands to the end. */
	while ((c = getopt_long(argc, argv, ":c:hV", table, NULL)) != -1) {
		status = take_option(opt, c, argv);
		if (status != 0)
			return status;
	}
	return take_operand(opt, argc, argv);
}

/* Writes each line of errors through log_error. */
static void log_lines(const struct buf *errors)
{
	const char *line = errors->data;
	while (line != NULL && *line != '\0') {
		const char *end = strchr(line, '\n');
		int len = end ? (int)(end - line) : (int)strlen(line);
		log_error("%.*s", len, line);
		line = end ? end + 1 : NULL;
	}
}

static size_t count_lines(const struct buf *b)
{
	size_t n = 0;
	for (size_t i = 0; i < b->len; i++)
		n += b->data[i] == '\n';
	return n;
}

/* An empty buf has no data at all (NULL), which fwrite must not be given. */
static void print_buf(const struct buf *b, FILE *to)
{
	if (b->len > 0)
		fwrite(b->data, 1, b->len, to);
}

/* ---- settings ---- */

/* The file every command reads when --config names none: the server's and
 * the editors' tools' settings are the same. */
#define DEFAULT_CONFIG "kabar.yaml"

static void default_config(struct options *opt)
{
	if (opt->over.config_file == NULL && access(DEFAULT_CONFIG, F_OK) == 0)
		opt->over.config_file = DEFAULT_CONFIG;
}

/* Says which settings a command used: an editor sees why a time shows in
 * UTC, or which host's folder an article went to. */
static void say_settings(const struct options *opt, const struct config *cfg)
{
	const struct vhost *vh = &cfg->vhosts[0];
	if (opt->over.config_file != NULL)
		fprintf(stderr, "kabar: settings from %s: host %s, zone %s\n", opt->over.config_file,
		        vh->names[0], vh->zone_name);
	else
		fprintf(stderr, "kabar: settings: the defaults (no --config, no ./%s): host %s, zone %s\n",
		        DEFAULT_CONFIG, vh->names[0], vh->zone_name);
}

/* ---- check ---- */

static int run_check(struct options *opt)
{
	struct config cfg;
	struct buf problems = {0};
	struct verify_counts counts = {0};
	if (opt->operand != NULL)
		opt->over.capsule = opt->operand;
	if (config_load(&cfg, &opt->over, &problems) < 0) {
		counts.problems = count_lines(&problems);
	} else {
		say_settings(opt, &cfg);
		/* A DIR named on the command line is the only capsule checked. */
		size_t n = opt->operand != NULL ? 1 : cfg.n_vhosts;
		for (size_t i = 0; i < n; i++)
			verify_capsule(&cfg.vhosts[i], &problems, &counts);
		config_free(&cfg);
	}
	print_buf(&problems, stdout);
	if (opt->strict) {
		counts.problems += counts.warnings;
		counts.warnings = 0;
	}
	printf("%zu %s", counts.articles, counts.articles == 1 ? "article" : "articles");
	if (counts.drafts > 0)
		printf(" (%zu %s)", counts.drafts, counts.drafts == 1 ? "draft" : "drafts");
	printf(", %zu %s", counts.problems, counts.problems == 1 ? "problem" : "problems");
	if (counts.warnings > 0)
		printf(", %zu %s", counts.warnings, counts.warnings == 1 ? "warning" : "warnings");
	if (counts.notes > 0)
		printf(", %zu dated by file time", counts.notes);
	if (counts.markdown_other > 0)
		printf(", %zu read from .markdown, .mdown or .mkd files", counts.markdown_other);
	putchar('\n');
	buf_free(&problems);
	return counts.problems > 0 ? 1 : 0;
}

/* ---- the editors' commands ---- */

/* The configuration render and new read: 0, or -1 after printing why. */
static int load_config(struct options *opt, struct config *cfg)
{
	struct buf errors = {0};
	int status = config_load(cfg, &opt->over, &errors);
	if (status < 0)
		print_buf(&errors, stderr);
	buf_free(&errors);
	return status;
}

static int run_render(struct options *opt)
{
	struct config cfg;
	struct buf out = {0}, notes = {0}, error = {0};
	int status;
	if (load_config(opt, &cfg) < 0)
		return 1;
	lang_identifier_open(NULL);
	status = editor_render(&cfg, opt->operand, opt->output, &out, &notes, &error);
	/* A failure is one FILE:LINE line, for editors that jump to it. */
	if (status == 0)
		say_settings(opt, &cfg);
	print_buf(&out, stdout);
	print_buf(&notes, stderr);
	print_buf(&error, stderr);
	buf_free(&out);
	buf_free(&notes);
	buf_free(&error);
	config_free(&cfg);
	lang_identifier_close();
	return status < 0 ? 1 : 0;
}

static int run_new(struct options *opt)
{
	struct config cfg;
	struct buf error = {0};
	struct new_article na = {
		.headline = opt->operand,
		.section = opt->section,
		.author = opt->author ? opt->author : getenv("USER"),
		.now = time(NULL),
	};
	char *path;
	if (load_config(opt, &cfg) < 0)
		return 1;
	say_settings(opt, &cfg);
	if (na.author != NULL && na.author[0] == '\0')
		na.author = NULL;
	if (na.author == NULL)
		fprintf(stderr, "kabar: no author written: give --author NAME (USER is not set)\n");
	path = editor_new(&cfg.vhosts[0], &na, &error);
	if (path != NULL)
		printf("%s\n", path);
	else
		fprintf(stderr, "kabar: %s", error.data);
	free(path);
	buf_free(&error);
	config_free(&cfg);
	return path != NULL ? 0 : 1;
}

/* The editors: entry for an editor's client certificate, fingerprint with
 * colons as clients show it (kabar.yaml takes it with or without). */
static int run_editor(struct options *opt)
{
	char hex[65];
	struct buf errors = {0};
	if (tls_cert_file_fingerprint(opt->cert, hex, &errors) != 0) {
		fprintf(stderr, "kabar: %s", errors.data);
		buf_free(&errors);
		return 1;
	}
	printf("editors:\n  - name: \"");
	for (const char *c = opt->operand; *c != '\0'; c++)
		printf(*c == '"' || *c == '\\' ? "\\%c" : "%c", *c);
	printf("\"\n    fingerprint: \"");
	for (int i = 0; i < 64; i += 2)
		printf("%s%c%c", i ? ":" : "", toupper((unsigned char)hex[i]),
		       toupper((unsigned char)hex[i + 1]));
	printf("\"\n    paths: [news/, images/]\n");
	return 0;
}

/* ---- serve ---- */

/* What a reload needs: the command line to read again, and the runtime in
 * force, whose sites the loader follows. */
struct serve_state {
	const struct config_overrides *over;
	struct runtime *current;
};

static int open_access_log(const struct config *cfg)
{
	if (log_access_open(cfg->access_log, cfg->log_format) == 0)
		return 0;
	log_error("%s: cannot open the access log", cfg->access_log);
	return -1;
}

/* SIGHUP: a new runtime from the same file and options, or NULL (after
 * logging why) so the one in force keeps serving. */
static struct runtime *reload(void *arg)
{
	struct serve_state *state = arg;
	struct buf errors = {0};
	struct runtime *rt = runtime_load(state->over, &errors);
	if (rt == NULL) {
		log_lines(&errors); /* the server says that the old one stays */
		buf_free(&errors);
		return NULL;
	}
	/* Never "reloaded" and then refused uploads: settings that need more
	 * than the confinement set at start wait for a restart. */
	if (!sandbox_covers(&rt->config, &errors)) {
		log_lines(&errors);
		log_error("reload refused: it needs a restart; the old settings keep serving");
		buf_free(&errors);
		runtime_free(rt);
		return NULL;
	}
	buf_free(&errors);
	runtime_read_capsules(rt);
	loader_stop();
	if (loader_start(rt->sites, rt->n_sites) < 0) {
		log_error("reload failed: cannot follow the new capsules");
		runtime_free(rt);
		if (loader_start(state->current->sites, state->current->n_sites) < 0)
			log_error("cannot follow the capsules any more: changes show after the next reload");
		return NULL;
	}
	if (open_access_log(&rt->config) < 0)
		log_error("access lines go to stderr until the next reload");
	state->current = rt;
	return rt; /* the server says "reloaded" once it serves it */
}

static int run_serve(struct options *opt)
{
	struct buf errors = {0};
	struct serve_state state = {.over = &opt->over};
	struct server *server;
	int status;
	if (opt->over.config_file != NULL)
		log_info("settings from %s", opt->over.config_file);
	state.current = runtime_load(&opt->over, &errors);
	if (state.current == NULL || open_access_log(&state.current->config) < 0)
		goto fail;
	/* Read while every path is reachable: server_new confines the process
	 * (chroot, Landlock), and reloads keep the classifier read here. */
	lang_identifier_open(NULL);
	server = server_new(state.current, &errors);
	if (server == NULL) {
		state.current = NULL; /* the server took it */
		goto fail;
	}
	buf_free(&errors);
	/* server_new has dropped privileges: articles are read only with the
	 * rights the server keeps, by the loader thread, while the server
	 * answers from what it has read so far. */
	runtime_begin_loading(state.current);
	/* After server_new, which blocks the signals the loader must not take. */
	if (loader_start(state.current->sites, state.current->n_sites) < 0) {
		server_free(server);
		lang_identifier_close();
		log_access_close();
		return 1;
	}
	status = server_run(server, reload, &state);
	loader_stop();
	server_free(server);
	lang_identifier_close();
	log_access_close();
	return status == 0 ? 0 : 1;
fail:
	log_lines(&errors);
	buf_free(&errors);
	runtime_free(state.current);
	lang_identifier_close();
	log_access_close();
	return 1;
}

int main(int argc, char **argv)
{
	struct options opt;
	int status = parse_command_line(argc, argv, &opt);
	if (status == 0)
		default_config(&opt);
	if (status == 0 && command_is(&opt, "serve"))
		status = run_serve(&opt);
	else if (status == 0 && command_is(&opt, "check"))
		status = run_check(&opt);
	else if (status == 0 && command_is(&opt, "render"))
		status = run_render(&opt);
	else if (status == 0 && command_is(&opt, "new"))
		status = run_new(&opt);
	else if (status == 0 && command_is(&opt, "editor"))
		status = run_editor(&opt);
	else if (status == 0)
		status = usage_error("unknown command \"%s\"", opt.command);
	options_free(&opt);
	return status < 0 ? 0 : status;
}
