/* common/cidr.h: networks (10.1.0.0/16, fd00::/8, a bare address) and a
 * longest-prefix table over them: the host map and the time zones per
 * sender network. A table is immutable once built; lookups from any thread.
 * IPv4-mapped IPv6 senders (::ffff:10.1.2.3) match IPv4 networks. */
#ifndef SL_CIDR_H
#define SL_CIDR_H
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct sl_cidr {
    int      family;            /* AF_INET or AF_INET6 */
    unsigned prefix;            /* 0..32 or 0..128 */
    uint8_t  addr[16];          /* masked to the prefix */
};

/* 0 ok, 1 ok but host bits were set (masked away), -1 not a network, -2 a
 * prefix length over the family's (out->family says which). */
int sl_cidr_parse(const char *s, struct sl_cidr *out);
/* An address as text (IPv4, IPv6, IPv4-mapped IPv6) into a /32 or /128
 * (mapped ones as IPv4). 0, or -1 when it is not an address. */
int sl_cidr_addr(const char *s, struct sl_cidr *out);

/* A socket address (IPv4, IPv6, IPv4-mapped IPv6) into a /32 or /128
 * (mapped ones as IPv4). 0, or -1 when it is neither IPv4 nor IPv6. */
int sl_cidr_sockaddr(const struct sockaddr *sa, socklen_t len, struct sl_cidr *out);
/* 1 when net holds addr (a /32 or /128 of the same family), else 0. */
int sl_cidr_contains(const struct sl_cidr *net, const struct sl_cidr *addr);

struct sl_cidr_table;

/* nets[i] gets value vals[i]; a network listed twice keeps its first value.
 * n may be 0 (every lookup misses). */
struct sl_cidr_table *sl_cidr_table_new(const struct sl_cidr *nets, const size_t *vals, size_t n);
void   sl_cidr_table_free(struct sl_cidr_table *t);          /* NULL-safe */
/* The value of the longest network holding addr (a /32 or /128 from
 * sl_cidr_addr); 0 and *val, or -1 when none holds it. */
int    sl_cidr_lookup(const struct sl_cidr_table *t, const struct sl_cidr *addr, size_t *val);

#endif
