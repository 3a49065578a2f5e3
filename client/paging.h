/*
 * Cursor paging of the list routes, whose bodies are
 * {"items": [...], "next": CURSOR-or-null}: fetching one page or every
 * page after a cursor, and printing the merged items.
 */
#ifndef ISMSCTL_PAGING_H
#define ISMSCTL_PAGING_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

/*
 * Fetches the page after cursor (NULL for the first page) and stores its
 * decoded body in *page, which the caller frees. Returns an exit status
 * from enum ctl_exit, with a message on stderr unless it is CTL_EXIT_OK.
 */
typedef int (*paging_fetch_fn)(
    void *context, const char *cursor, json_t **page);

struct paging_result {
	json_t *items; /* items of every page fetched, in order */
	char *next;    /* "next" of the last page fetched, or NULL */
};

/*
 * Fetches the page after start (NULL for the first page) and, when all
 * is set, every later page until "next" is null. A page whose "next"
 * equals the cursor that fetched it stops the loop with an error. what
 * names the list in messages, such as "audit". Returns CTL_EXIT_OK or an
 * exit status with a message on stderr. Free result with
 * paging_result_free() in both cases.
 */
int paging_collect(paging_fetch_fn fetch, void *context, const char *what,
    const char *start, bool all, struct paging_result *result);

void paging_result_free(struct paging_result *result);

/*
 * Prints {"items": items, "next": null} and a newline to out, the one
 * document that --all --json gives for every page. Returns 0, or -1 when
 * memory runs out or the write fails.
 */
int paging_print_merged(FILE *out, json_t *items);

#endif
