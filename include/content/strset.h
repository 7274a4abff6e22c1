#ifndef KABAR_STRSET_H
#define KABAR_STRSET_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A set of strings numbered in the order they were added, found by hash:
 * de-duplicating a list or numbering URLs takes time linear in their
 * number, however many there are. The strings are borrowed, not copied:
 * they must outlive the set.
 */
struct strset {
	const char **items; /* by number, in the order added */
	size_t count;
	size_t *slots;      /* hash table of number + 1; 0 is an empty slot */
	size_t mask;        /* slots has mask + 1 entries */
};

/* The number of s in set (from 0), adding s when it is new; *added (may
 * be NULL) tells which. */
size_t strset_add(struct strset *set, const char *s, bool *added);

void strset_free(struct strset *set);

#endif
