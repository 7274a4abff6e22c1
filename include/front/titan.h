#ifndef KABAR_TITAN_H
#define KABAR_TITAN_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "config.h"

/*
 * Titan, Gemini's companion protocol for writing: the one place Kabar
 * changes the capsule. A request is "titan://HOST/PATH;size=N;mime=TYPE
 * [;token=T]\r\n" followed by N bytes (N = 0 deletes PATH). This module
 * holds the rules: reading the request line, who may write where, what may
 * be written, and writing it so that a reader or the loader never sees a
 * half-written file. The engine reads the body; the Gemini front-end answers.
 */

struct titan_request {
	char *host;       /* lower-cased, or NULL when the URL names none */
	bool host_is_ip;  /* an IPv4 or IPv6 literal */
	int port;         /* -1 when absent */
	char *path;       /* decoded, dot segments removed, without the leading '/' */
	long long size;   /* bytes that follow the request line */
	char *mime;       /* "text/gemini" when not given */
	char *token;      /* NULL when not given */
};

/* True when the request line (without CRLF) is a Titan URL, whatever else
 * is wrong with it. */
bool titan_is_request(const char *line, size_t len);

/* Parses a Titan request line (without CRLF). 0, or -1 with a short English
 * reason (a static string) in *reason; nothing is left to free on -1. */
int titan_parse(const char *line, size_t len, struct titan_request *req, const char **reason);
void titan_request_free(struct titan_request *req);

/* The editor presenting this client certificate (hex SHA-256), or NULL. */
const struct editor *titan_editor(const struct vhost *vh, const char *fingerprint);

/* True when the editor may write relpath: under one of their paths. */
bool titan_editor_may_write(const struct editor *ed, const char *relpath);

/* True when relpath may be written at all: no hidden segment (dotfiles,
 * editor leftovers), no "." or "..", no empty segment, and no folder
 * deeper than the loader reads; else false with a reason. */
bool titan_path_allowed(const char *relpath, const char **reason);

/* The kinds of file an upload may be. */
enum titan_kind {
	TITAN_ARTICLE, /* .md, .gmi or .txt: parsed before it replaces anything */
	TITAN_IMAGE,   /* libmagic says image/... */
	TITAN_REFUSED,
};

/*
 * What an upload of body to relpath is, or TITAN_REFUSED with a reason in
 * *reason: a path titan_path_allowed refuses, or anything but an article
 * (by its name) or an image (by its bytes, never by its name).
 */
enum titan_kind titan_classify(const char *relpath, const char *body, size_t len,
                               const char **reason);

/*
 * Writes body to relpath beneath root_fd: a temporary file beside the
 * target (hidden from the loader and from readers), fsynced, then renamed
 * into place, so the file is either the old or the new one, never a mix;
 * concurrent uploads of one path end with one of them whole. Missing
 * folders on the way are made. Nothing on the way may be a symbolic link.
 * 0, or -1 with a reason appended to error.
 */
int titan_store(int root_fd, const char *relpath, const char *body, size_t len,
                struct buf *error);

/* Removes relpath (a file, never a folder). 0, or -1 with a reason. */
int titan_delete(int root_fd, const char *relpath, struct buf *error);

#endif
