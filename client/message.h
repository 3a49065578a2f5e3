/* Diagnostics on stderr, each line prefixed with "ismsctl: ". */
#ifndef ISMSCTL_MESSAGE_H
#define ISMSCTL_MESSAGE_H

void msg_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "ismsctl: note: ..." for information that is not an error. */
void msg_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
