/*
 * multiaddr.h - self-describing network addresses, text and binary.
 *
 * The binary form (repeated uvarint(code) value) is what we store; a
 * struct gg_multiaddr always holds a valid one, because every way in
 * (parse, from_bytes, from_sockaddr, append) validates strictly.
 * Protocols: ip4, tcp, udp, ip6, dns, dns4, dns6, dnsaddr, p2p (/ipfs/ is
 * accepted as an alias and printed as /p2p/).
 */
#ifndef GG_NET_MULTIADDR_H
#define GG_NET_MULTIADDR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "crypto/peerid.h"

#define GG_MULTIADDR_MAX 512
/* Longest text form we ever produce, with its NUL (an ip4 component is
 * 5 bytes and up to 20 characters). */
#define GG_MULTIADDR_STR_MAX (4 * GG_MULTIADDR_MAX + 1)

enum gg_ma_proto {
	GG_MA_IP4 = 4, GG_MA_TCP = 6, GG_MA_IP6 = 41, GG_MA_DNS = 53,
	GG_MA_DNS4 = 54, GG_MA_DNS6 = 55, GG_MA_DNSADDR = 56,
	GG_MA_UDP = 273, GG_MA_P2P = 421
};

struct gg_multiaddr { size_t len; uint8_t b[GG_MULTIADDR_MAX]; };

/*
 * Text: a leading '/', no empty segments (no "//", no trailing '/'), a
 * value after every protocol; ip4/ip6 as inet_pton reads them, ports in
 * plain decimal without leading zeros, DNS names as dot-separated labels
 * of [A-Za-z0-9_-].  GG_EUNSUPPORTED for an unknown protocol name,
 * GG_EPARSE/GG_ERANGE for a bad value, GG_ETOOBIG past the cap.
 */
int gg_multiaddr_parse(const char *text, struct gg_multiaddr *out);
/* Validates strictly: minimal varints, known codes, complete values,
 * valid DNS names and peer-ID multihashes; GG_ETRUNC for a cut-off one. */
int gg_multiaddr_from_bytes(const uint8_t *p, size_t n,
			    struct gg_multiaddr *out);
/* 0, or GG_ETOOBIG (out is then ""); GG_MULTIADDR_STR_MAX always fits. */
int gg_multiaddr_to_str(const struct gg_multiaddr *ma, char *out,
			size_t outsz);

struct gg_ma_comp { uint64_t code; const uint8_t *val; size_t len; };
/* Start with *off = 0.  1 = got one, 0 = end, <0 error. */
int gg_multiaddr_next(const struct gg_multiaddr *ma, size_t *off,
		      struct gg_ma_comp *c);

/*
 * "/ip4|ip6|dns|dns4|dns6/HOST/tcp/PORT[/p2p/ID]": host text, family hint
 * (0 for dns, AF_INET, AF_INET6), port, and the peer id if present.
 * peer may be NULL when has_peer is NULL.  GG_EUNSUPPORTED for any other
 * shape.
 */
int gg_multiaddr_tcp(const struct gg_multiaddr *ma, char *host,
		     size_t hostsz, int *family, uint16_t *port,
		     struct gg_peerid *peer, int *has_peer);
/* /ip4|ip6/.../tcp/... */
int gg_multiaddr_from_sockaddr(const struct sockaddr *sa,
			       struct gg_multiaddr *out);
/* Appends /p2p/ID; a no-op when it already ends in that ID, GG_EPEERID
 * when it ends in another. */
int gg_multiaddr_append_p2p(struct gg_multiaddr *ma,
			    const struct gg_peerid *id);
/* Removes a trailing /p2p/ID (if any) and reports it (id may be NULL).
 * An address that was only /p2p/ID is left empty (len 0). */
int gg_multiaddr_strip_p2p(struct gg_multiaddr *ma, struct gg_peerid *id,
			   int *had);

#endif
