#ifndef KABAR_CONFIG_H
#define KABAR_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "cidr.h"
#include "log.h"
#include "output.h"
#include "tz.h"

/*
 * Configuration: one YAML file (libyaml) plus command-line options, which
 * win over the file. With no file at all the defaults serve ./capsule for
 * localhost. Every problem is reported as "FILE:LINE:COLUMN: reason".
 */

/* The balancers one listener takes PROXY headers from: a few addresses. */
#define LISTEN_PROXY_FROM_MAX 16

struct listen_addr {
	enum output proto; /* the protocol served on this socket */
	char *host; /* "127.0.0.1", "::1", "localhost", or "*" for every address */
	int port;   /* 0 picks a free port */
	bool proxy; /* each connection starts with a PROXY header (proxy.h) */
	struct cidr proxy_from[LISTEN_PROXY_FROM_MAX]; /* who may send one */
	size_t n_proxy_from;
};

/* Someone who may publish to a host with Titan: known by the SHA-256 of the
 * client certificate they present, allowed to write under paths only. */
struct editor {
	char *name;            /* the author of what they upload, unless it names one */
	char fingerprint[65];  /* lower-case hex, no colons */
	char **paths;          /* capsule folders, each ending in '/'; "" is the whole capsule */
	size_t n_paths;
	bool desk_all;         /* "desk: all": /desk/ shows every draft, not only theirs */
};

/* True when relpath (relative to the capsule) lies under one of the
 * editor's paths: what they may write, and the drafts their desk shows. */
bool config_editor_covers(const struct editor *ed, const char *relpath);

/* True when the editor's desk shows the draft whose source is relpath. */
bool config_editor_sees(const struct editor *ed, const char *relpath);

/* One virtual host: the names it answers to and the newsroom it serves. */
struct vhost {
	char **names;          /* names[0] is the canonical host name */
	size_t n_names;
	char *capsule;         /* the capsule directory */
	char *cert_file;       /* default: CERTS/NAME.crt */
	char *key_file;        /* default: CERTS/NAME.key */
	char *lang;            /* "en" (default), "id", ... */
	char *title;           /* the site's name, shown on the front page */
	char *zone_name;       /* shown after times, e.g. "WITA"; default "UTC"; a named zone's name */
	int utc_offset_minutes; /* applied to dates written without a zone */
	struct tz *zone;       /* a named zone (Europe/Berlin), or NULL: the offset above */
	bool listing;          /* generate directory listings (default true) */
	int page_size;         /* entries per index page (default 20) */
	int wrap_columns;      /* Gopher text width (default 70) */
	/* What Gopher menus name as this host's server ("gopher_advertise:
	 * HOST:PORT", for NAT, a port forward or a balancer); NULL: the host's
	 * name and the port the request arrived on. */
	char *advertise_host;
	int advertise_port;
	struct editor *editors; /* Titan uploads and previews: none turns both off */
	size_t n_editors;
};

struct config {
	char *file;            /* the file it was read from, or NULL */
	struct listen_addr *listen;
	size_t n_listen;
	char *certs_dir;       /* default "certs" */
	char *ticket_key_file; /* tls: ticket_key_file: shared session ticket keys, or NULL */
	int workers;           /* 0: one per core */
	int request_timeout_ms; /* handshake + request (default 10000) */
	int idle_timeout_ms;   /* a write that makes no progress (default 30000) */
	int max_connections;   /* default 1024 */
	int requests_per_minute;     /* per client address; 0: no limit (default 600) */
	int connections_per_address; /* open at once; 0: no limit (default 64) */
	long long upload_size; /* a Titan upload's largest body (default 8 MiB) */
	int upload_timeout_ms; /* to receive a whole upload body (default 60000) */
	int uploads_in_flight; /* Titan bodies being received at once, server-wide (default 16) */
	long long upload_budget; /* bytes one editor may upload a day; 0: no limit (default 64 MiB) */
	long long upload_disk_floor; /* free bytes an upload must leave on the disk (default 256 MiB) */
	bool log_client_addr;  /* default true; false for privacy */
	char *access_log;      /* NULL: stderr */
	enum log_format log_format; /* the access log's lines (default kabar) */
	char *user;            /* drop to this user when started as root */
	bool chroot;           /* started as root: chroot into the capsule (default false) */
	struct vhost *vhosts;  /* vhosts[0] is the default host */
	size_t n_vhosts;
};

/* Command-line settings; NULL or -1 means "not given". */
struct config_overrides {
	const char *config_file;
	const char *capsule;
	const char *host;
	const char *certs_dir;
	int workers;
	struct listen_addr *listen; /* when given, replaces the file's list */
	size_t n_listen;
};

/*
 * Builds the configuration: defaults, then the file (if any), then the
 * overrides. On error returns -1 and writes one line per problem into
 * errors (a caller-owned buffer of lines); the config is then freed.
 */

int config_load(struct config *cfg, const struct config_overrides *over, struct buf *errors);
void config_free(struct config *cfg);

/* Parses "127.0.0.1:1965", "[::1]:0", "*:70". Returns 0, or -1 if malformed. */
int config_parse_listen(const char *text, enum output proto, struct listen_addr *out);

/*
 * Parses a time zone as date_parse_zone (date.h) reads one. Returns 0 with
 * the offset east of UTC and *zone_name (the caller frees it: the name in
 * upper case, "UTC" for Z, or the offset as "+08:00"), or -1 if it is not
 * a zone.
 */
int config_parse_zone(const char *text, int *offset_minutes, char **zone_name);

/*
 * The virtual host that answers to name (case-insensitive, a trailing dot
 * ignored), or NULL. name NULL gives the default host.
 */
const struct vhost *config_find_vhost(const struct config *cfg, const char *name);

#endif
