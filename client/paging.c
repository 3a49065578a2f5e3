#include "paging.h"

#include <stdlib.h>
#include <string.h>

#include "ismsctl.h"
#include "message.h"

/*
 * Appends the items of page to result and replaces result->next with the
 * page's cursor. Returns an exit status.
 */
static int
add_page(const json_t *page, const char *what, struct paging_result *result)
{
	json_t *items = json_object_get(page, "items");
	const char *next = json_string_value(json_object_get(page, "next"));

	if (!json_is_array(items)) {
		msg_error("the server's %s response has no items array", what);
		return CTL_EXIT_SERVER;
	}
	if (json_array_extend(result->items, items) != 0)
		goto nomem;
	free(result->next);
	result->next = NULL;
	if (next != NULL) {
		result->next = strdup(next);
		if (result->next == NULL)
			goto nomem;
	}
	return CTL_EXIT_OK;
nomem:
	msg_error("out of memory");
	return CTL_EXIT_SERVER;
}

int
paging_collect(paging_fetch_fn fetch, void *context, const char *what,
    const char *start, bool all, struct paging_result *result)
{
	char *cursor = NULL;
	int ret = CTL_EXIT_OK;

	memset(result, 0, sizeof(*result));
	result->items = json_array();
	if (result->items == NULL) {
		msg_error("out of memory");
		return CTL_EXIT_SERVER;
	}
	if (start != NULL) {
		cursor = strdup(start);
		if (cursor == NULL) {
			msg_error("out of memory");
			return CTL_EXIT_SERVER;
		}
	}
	for (;;) {
		json_t *page = NULL;

		ret = fetch(context, cursor, &page);
		if (ret == CTL_EXIT_OK)
			ret = add_page(page, what, result);
		json_decref(page);
		if (ret != CTL_EXIT_OK || result->next == NULL || !all)
			break;
		if (cursor != NULL && strcmp(cursor, result->next) == 0) {
			msg_error("the server returned the same cursor for the "
				  "next page, so the listing stops to avoid a "
				  "loop");
			ret = CTL_EXIT_SERVER;
			break;
		}
		free(cursor);
		cursor = strdup(result->next);
		if (cursor == NULL) {
			msg_error("out of memory");
			ret = CTL_EXIT_SERVER;
			break;
		}
	}
	free(cursor);
	return ret;
}

void
paging_result_free(struct paging_result *result)
{
	json_decref(result->items);
	free(result->next);
	memset(result, 0, sizeof(*result));
}

int
paging_print_merged(FILE *out, json_t *items)
{
	json_t *doc = json_pack("{s:O,s:n}", "items", items, "next");
	int ret;

	if (doc == NULL)
		return -1;
	ret = json_dumpf(doc, out, JSON_COMPACT);
	json_decref(doc);
	if (ret != 0 || fputc('\n', out) == EOF)
		return -1;
	return 0;
}
