/* Version and exit statuses of ismsctl, shared by every client module. */
#ifndef ISMSCTL_H
#define ISMSCTL_H

#define ISMSCTL_VERSION "0.1.0"

/*
 * Exit statuses. The top-level --help text and docs/ismsctl.md list the
 * same values, so change all three together.
 */
enum ctl_exit {
	CTL_EXIT_OK = 0,
	CTL_EXIT_INVALID = 1, /* the server rejected the request as invalid */
	CTL_EXIT_USAGE = 2,   /* bad command line, local value or local file */
	CTL_EXIT_AUTH = 3,    /* no token, or HTTP 401 or 403 */
	CTL_EXIT_NOT_FOUND = 4,	   /* HTTP 404 */
	CTL_EXIT_CONFLICT = 5,	   /* HTTP 409, 412 or 428 */
	CTL_EXIT_SERVER = 6,	   /* HTTP 5xx, network, TLS or timeout */
	CTL_EXIT_AUDIT_INVALID = 7 /* broken hash chain or anchor */
};

#endif
