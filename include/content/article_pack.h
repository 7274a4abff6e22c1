#ifndef KABAR_ARTICLE_PACK_H
#define KABAR_ARTICLE_PACK_H

#include "article.h"

/*
 * A parsed article is a tree of small allocations, many of them grown
 * buffers with room to spare: about 2.5 KB of heap for a 600-byte file.
 * Whatever keeps articles for long (a snapshot keeps every one for as long
 * as it is served) copies each once into a single block of exactly the
 * size it needs. A packed article is freed with free(), never article_free.
 */

/* Takes a (freed with article_free); returns its packed copy. */
struct article *article_pack(struct article *a);

/* A packed copy of a, which stays the caller's (packed or not). */
struct article *article_pack_copy(const struct article *a);

#endif
