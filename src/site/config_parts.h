#ifndef KABAR_CONFIG_PARTS_H
#define KABAR_CONFIG_PARTS_H

/*
 * Private to the configuration's own modules (src/site/config*.c); every
 * other module uses config.h. What one part of reading kabar.yaml hands
 * another:
 *
 *   config.c         config_load: defaults, the file, the command line
 *   config_server.c  the file's top level: listeners, server-wide settings
 *   config_hosts.c   a site's settings, and the hosts list
 *   config_editors.c who may publish with Titan, and where
 *   config_read.c    typed values out of YAML nodes; FILE:LINE:COLUMN problems
 *   config_memory.c  defaults, copies and freeing of the structures
 *   config_values.c  host names, listen addresses and zones, from text alone
 *
 * Each calls only those listed below it.
 */

#include "buf.h"
#include "log.h"

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

/* Defined in config.h, which each part includes first. */
struct config;
struct editor;
struct listen_addr;
struct vhost;

/* Outside this range a worker count is surely a typo. */
#define MAX_WORKERS 256

/* What reading one file needs: where problems go and how paths resolve. */
struct parse {
	const char *file;
	char *dir; /* the file's folder, NULL when it is the current one */
	yaml_document_t *doc;
	struct buf *errors;
	int problems;
};

/* ---- config_values.c ---- */

/* A host name as stored: lower case, one trailing dot dropped. NULL if it is
 * not a host name. */
char *config_normal_host_name(const char *text);

/* ---- config_memory.c ---- */

void config_defaults(struct config *cfg);
void config_free_names(char **names, size_t n);
void config_editors_free(struct editor *editors, size_t n);
void config_vhost_free(struct vhost *vh);
/* A host entry starts from the file's site settings; names are its own. */
void config_vhost_copy_settings(struct vhost *dst, const struct vhost *src);
void config_listen_push(struct listen_addr **addrs, size_t *n, const struct listen_addr *addr);
void config_listen_free(struct listen_addr *addrs, size_t n);

/* ---- config_read.c ---- */

/* One line "FILE:LINE:COLUMN: message" for node, counted in p->problems. */
void config_problem(struct parse *p, const yaml_node_t *node, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void config_unknown_key(struct parse *p, const char *key, const yaml_node_t *key_node);

/* Each reads key's value from node into *out, or reports why it cannot and
 * leaves *out as it was. */
const char *config_get_text(struct parse *p, const char *key, const yaml_node_t *node);
void config_get_string(struct parse *p, const char *key, const yaml_node_t *node, char **out);
void config_get_path(struct parse *p, const char *key, const yaml_node_t *node, char **out);
void config_get_int(struct parse *p, const char *key, const yaml_node_t *node, int min, int max,
                    int *out);
void config_get_bool(struct parse *p, const char *key, const yaml_node_t *node, bool *out);
void config_get_duration(struct parse *p, const char *key, const yaml_node_t *node, int *ms);
void config_get_size(struct parse *p, const char *key, const yaml_node_t *node, long long *out);
/* A size that may be 0 and as large as MAX_AMOUNT (a budget, a floor). */
#define MAX_AMOUNT (1LL << 50)
void config_get_amount(struct parse *p, const char *key, const yaml_node_t *node,
                       long long *out);
void config_get_log_format(struct parse *p, const char *key, const yaml_node_t *node,
                           enum log_format *out);

void config_for_each_item(struct parse *p, const char *key, yaml_node_t *node,
                          void (*each)(struct parse *, const char *, yaml_node_t *, void *),
                          void *arg);
void config_for_each_pair(struct parse *p, const char *what, yaml_node_t *map,
                          void (*each)(struct parse *, const char *, yaml_node_t *, yaml_node_t *, void *),
                          void *arg);

/* The file itself, before and around its one document. */
int config_read_file(const char *file, struct buf *data, struct buf *errors);
char *config_folder_of(const char *file);
void config_syntax_error(const char *file, const yaml_parser_t *parser, const struct buf *data,
                         struct buf *errors);
void config_check_single_document(struct parse *p, yaml_parser_t *parser, const struct buf *data);

/* ---- config_editors.c ---- */

void config_get_editors(struct parse *p, yaml_node_t *list, struct vhost *vh);

/* ---- config_hosts.c ---- */

/* The index of the host that answers to name, or -1. */
int config_host_owning(const struct vhost *hosts, size_t count, const char *name);
/* Host names for vh; those of the earlier hosts may not be given again. */
void config_get_names(struct parse *p, const char *key, yaml_node_t *node, struct vhost *vh,
                      const struct vhost *earlier, size_t n_earlier);
bool config_site_setting(struct parse *p, const char *key, yaml_node_t *value, struct vhost *vh);
void config_parse_hosts(struct parse *p, yaml_node_t *list, const struct vhost *defaults,
                        struct config *cfg);

/* ---- config_server.c ---- */

void config_parse_root(struct parse *p, yaml_node_t *root, struct config *cfg);

#endif
