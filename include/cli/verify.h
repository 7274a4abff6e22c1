#ifndef KABAR_VERIFY_H
#define KABAR_VERIFY_H

#include <stddef.h>

#include "buf.h"
#include "config.h"

/* `kabar check`: reads every article of a capsule the way the site does and
 * reports what cannot be read, so a newsroom finds its mistakes before its
 * readers do. */

struct verify_counts {
	size_t articles; /* article sources that parsed */
	size_t drafts;   /* of those, drafts: readers see articles - drafts */
	size_t problems; /* files that cannot be published, and such */
	size_t warnings; /* links that lead nowhere, tags removed: problems under --strict */
	size_t notes;    /* articles dated by their file's time */
	size_t markdown_other; /* articles in .markdown, .mdown or .mkd files */
};

/* Parses every article source of vh->capsule, as the site would (files in
 * news/ with an article extension, hidden files skipped, in name order),
 * with the host's zone and language as defaults. A folder with no news/ is
 * taken as a bare folder of articles (such as a blog's posts). Each problem
 * is one line "FILE:LINE: reason" appended to problems; counts grow. So are
 * warnings, "FILE:LINE: link to X: nothing there" for every link of an
 * article to a path of the site where there is no article, page or file
 * (or that climbs out of the capsule), and "FILE:LINE: unknown shortcode
 * NAME, removed" for every shortcode or template tag of a generator that
 * the article leaves out (shortcodes.h), and notes, "FILE: dated by its file
 * time (...)" for every article without a date of its own. */
void verify_capsule(const struct vhost *vh, struct buf *problems, struct verify_counts *counts);

#endif
