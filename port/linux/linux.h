/*
 * linux.h: helpers shared by the files of the Linux port (not part of
 * port.h).
 */
#ifndef PORT_LINUX_H
#define PORT_LINUX_H

#include <stddef.h>

/* Translate errno value e into an ERR_* code and record "what obj: reason". */
int linux_err(int e, const char *what, const char *obj);

struct addrinfo;

/*
 * The order in which port_net_connect tries a host's addresses (RFC 8305
 * section 4): the family of getaddrinfo's first address first, then IPv6
 * and IPv4 alternate, each family in getaddrinfo's (RFC 6724) order. Puts
 * at most cap pointers into res in out; returns how many.
 */
size_t linux_net_order(const struct addrinfo *res, const struct addrinfo **out,
    size_t cap);

#endif
