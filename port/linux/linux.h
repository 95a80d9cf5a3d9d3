/*
 * linux.h: helpers shared by the files of the Linux port (not part of
 * port.h).
 */
#ifndef PORT_LINUX_H
#define PORT_LINUX_H

/* Translate errno value e into an ERR_* code and record "what obj: reason". */
int linux_err(int e, const char *what, const char *obj);

#endif
