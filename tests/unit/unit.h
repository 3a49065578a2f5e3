/*
 * A minimal unit test harness: each CHECK counts as one passed or failed
 * check, failures print file, line and the expression, and unit_finish()
 * prints the "N passed, N failed" line and returns the exit status.
 */
#ifndef ISMSD_UNIT_H
#define ISMSD_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_passed;
static int unit_failed;

#define CHECK(expr)                                                       \
	do {                                                              \
		if (expr) {                                               \
			unit_passed++;                                    \
		} else {                                                  \
			unit_failed++;                                    \
			fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__,     \
			    __LINE__, #expr);                             \
		}                                                         \
	} while (0)

#define CHECK_STR(got, expected)                                          \
	do {                                                              \
		const char *unit_g_ = (got), *unit_e_ = (expected);       \
		if (unit_g_ != NULL && unit_e_ != NULL &&                 \
		    strcmp(unit_g_, unit_e_) == 0) {                      \
			unit_passed++;                                    \
		} else {                                                  \
			unit_failed++;                                    \
			fprintf(stderr,                                   \
			    "FAIL %s:%d: %s is \"%s\", expected \"%s\"\n", \
			    __FILE__, __LINE__, #got,                     \
			    unit_g_ ? unit_g_ : "(null)",                 \
			    unit_e_ ? unit_e_ : "(null)");                \
		}                                                         \
	} while (0)

static inline int
unit_finish(void)
{
	printf("%d passed, %d failed\n", unit_passed, unit_failed);
	return unit_failed == 0 ? 0 : 1;
}

#endif
