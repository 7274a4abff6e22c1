#ifndef KABAR_SHORTCODES_TAG_H
#define KABAR_SHORTCODES_TAG_H

/*
 * One tag of a generator as shortcodes_read.c reads it, for the rewrite
 * in shortcodes.c. Private to those two parts of shortcodes.h.
 */

#include <stdbool.h>
#include <stddef.h>

/* A tag longer than this, or running across a blank line, is text. */
#define MAX_TAG_LENGTH (16 * 1024)
#define MAX_ARGS 16
#define MAX_NAME 64

enum syntax {
	HUGO,          /* {{< name >}} {{% name %}} {{< /name >}} */
	ZOLA_INLINE,   /* {{ name(args) }} */
	ZOLA_BLOCK,    /* {% name(args) %} */
	ZOLA_END,      /* {% end %} */
	LIQUID_TAG,    /* {% name args %} */
	LIQUID_OUTPUT, /* {{ site.x | filter }} */
};

struct arg {
	char *name; /* NULL: positional */
	char *value;
};

struct tag {
	enum syntax syntax;
	bool closing;     /* {{< /name >}} */
	bool self_closed; /* {{< name />}} */
	char name[MAX_NAME + 1];
	struct arg args[MAX_ARGS];
	int n_args;
	bool filtered; /* a Liquid output with a relative_url or absolute_url filter */
};

/* Reads the tag at s ("{{" or "{%"); returns its length, or 0 when s
 * holds none, with *looked how far was read to find that out (a "{{"
 * before that is not tried again: the reading stays linear). */
size_t shortcodes_read_tag(const char *s, size_t len, struct tag *t, size_t *looked);

void shortcodes_tag_free(struct tag *t);

/* The argument called name, else the pos-th positional one (-1: none),
 * or NULL. name "" asks for the positional one only. */
const char *shortcodes_tag_arg(const struct tag *t, const char *name, int pos);

/* Whether the tag's name is name, in any case. */
bool shortcodes_name_is(const struct tag *t, const char *name);

#endif
