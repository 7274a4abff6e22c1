#ifndef KABAR_TITAN_H
#define KABAR_TITAN_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "config.h"
#include "request.h"

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

/* Why a request is not an editor's, for its answer. */
struct titan_refusal {
	int status;       /* 60 no certificate, 61 not an editor, 62 certificate out of its dates */
	const char *meta; /* what the answer says (a static string) */
};

/*
 * The editor of vh this request comes from, or NULL with the refusal: no
 * certificate (60; on a resumed TLS session, where none is asked for, the
 * hint to reconnect with the identity), one no editor has (61), or an
 * editor's outside its notBefore..notAfter (62).
 */
const struct editor *titan_request_editor(const struct vhost *vh,
                                          const struct request_info *info,
                                          struct titan_refusal *why);

/* True when relpath may be written at all: no hidden segment (dotfiles,
 * editor leftovers), no "." or "..", no empty segment, no folder deeper
 * than the loader reads, no name the server gives meaning to (reserved.h),
 * and an article file (.md .gmi .txt) only where it is an article
 * (beneath news/); else false with a reason. */
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
 * An upload being written: a temporary file beside the target (hidden from
 * the loader and from readers: a dotfile), filled as the body arrives,
 * then fsynced and renamed into place, so the file is either the old or
 * the new one, never a mix; concurrent uploads of one path end with one of
 * them whole. Missing folders on the way are made when it begins. Nothing
 * on the way may be a symbolic link.
 */
struct titan_file {
	int dir;          /* the folder the target is in */
	int fd;           /* the temporary file, read-write */
	const char *name; /* the target's last segment (inside relpath) */
	char tmp[64];     /* the temporary file's name in dir */
	int error;        /* the errno of the step that failed (begin, commit) */
};

/* 0, or -1 with a reason appended to error and f->error set (nothing is
 * left open). */
int titan_begin_file(int root_fd, const char *relpath, struct titan_file *f, struct buf *error);
/* Appends; 0, or -1 with errno set. */
int titan_file_write(struct titan_file *f, const char *data, size_t len);
/* Makes the file hold data only; 0, or -1 with errno set. */
int titan_file_replace(struct titan_file *f, const char *data, size_t len);
/* Bytes free for an unprivileged writer on the disk of fd, or -1. */
long long titan_free_bytes(int fd);
/* Puts the file in place; 0, or -1 with a reason and f->error set (the
 * temporary file is gone either way). */
int titan_file_commit(struct titan_file *f, const char *relpath, struct buf *error);
/* Removes the temporary file; safe after a commit, and twice. */
void titan_file_abandon(struct titan_file *f);

/* The whole of the above for a body in memory. 0, or -1 with a reason
 * appended to error. */
int titan_store(int root_fd, const char *relpath, const char *body, size_t len,
                struct buf *error);

/* Removes relpath (a file, never a folder). 0, or -1 with a reason. */
int titan_delete(int root_fd, const char *relpath, struct buf *error);

#endif
