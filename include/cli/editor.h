#ifndef KABAR_EDITOR_H
#define KABAR_EDITOR_H

#include <stdbool.h>
#include <time.h>

#include "buf.h"
#include "config.h"

/*
 * The editors' commands: `kabar render` shows one article as its readers
 * will see it, `kabar new` starts one with its front matter filled in.
 */

enum editor_output { EDITOR_GEMINI, EDITOR_GOPHER };

/*
 * Parses file as the site would (with the zone and language of the host
 * whose capsule holds it, else the default host) and renders it into out:
 * gemtext, or Gopher text with "\r\n" line ends. Lines an editor should
 * know, such as "FILE: draft: readers do not see it yet", go to notes.
 * Returns 0, or -1 with one line "FILE:LINE: reason" in error.
 */
int editor_render(const struct config *cfg, const char *file, enum editor_output output,
                  struct buf *out, struct buf *notes, struct buf *error);

struct new_article {
	const char *headline;
	const char *section; /* NULL: none */
	const char *author;  /* NULL: none */
	time_t now;          /* its date, written in the host's zone */
};

/*
 * Writes the front matter of a new draft article into out: title, date (now
 * in vh's zone, with its offset), author, section, tags: [], draft: true.
 */
void editor_front_matter(struct buf *out, const struct vhost *vh, const struct new_article *na);

/*
 * Creates vh->capsule/news/YYYY-MM-DD-slug.md (the date in vh's zone, the
 * slug from the headline) holding the front matter and an empty body. It
 * never overwrites a file. Returns the new file's path (the caller frees
 * it), or NULL with one line of reason in error.
 */
char *editor_new(const struct vhost *vh, const struct new_article *na, struct buf *error);

#endif
