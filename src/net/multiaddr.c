/*
 * multiaddr.c - multiaddrs in text and binary (multiaddr.h).
 *
 * The binary form is the one we keep; it is a sequence of components,
 * each uvarint(code) followed by a fixed-size value or by a
 * uvarint-length-prefixed one.  Every way in validates strictly, so the
 * walkers here may trust the structure, yet they still bounds-check each
 * step (comp_split) rather than crash on a struct someone filled by hand.
 *
 * Text rules, chosen so that canonical text round-trips byte for byte:
 * a leading '/', no empty segments (so no "//" and no trailing '/'),
 * every protocol here takes a value; addresses as inet_pton accepts them
 * (no leading zeros in ip4), ports as plain decimal without leading
 * zeros; DNS names of letters, digits, '-', '_' in dot-separated labels.
 * "/ipfs/" is read as "/p2p/", and ip6 and p2p values are printed in
 * their canonical forms (inet_ntop, base58btc).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>

#include "net/multiaddr.h"
#include "util/error.h"
#include "util/varint.h"

#define TEXT_MAX 4096
#define VALUE_MAX 255 /* longest value we accept in text (a DNS name) */
#define DNS_NAME_MAX 253

struct ma_proto {
	uint64_t code;
	const char *name;
	int size; /* value bytes, or -1: length-prefixed */
};

static const struct ma_proto ma_protos[] = {
	{ GG_MA_IP4, "ip4", 4 },	  { GG_MA_TCP, "tcp", 2 },
	{ GG_MA_UDP, "udp", 2 },	  { GG_MA_IP6, "ip6", 16 },
	{ GG_MA_DNS, "dns", -1 },	  { GG_MA_DNS4, "dns4", -1 },
	{ GG_MA_DNS6, "dns6", -1 },	  { GG_MA_DNSADDR, "dnsaddr", -1 },
	{ GG_MA_P2P, "p2p", -1 },
};

#define N_PROTOS (sizeof(ma_protos) / sizeof(ma_protos[0]))

static const struct ma_proto *proto_by_code(uint64_t code)
{
	size_t i;

	for (i = 0; i < N_PROTOS; i++)
		if (ma_protos[i].code == code)
			return &ma_protos[i];
	return NULL;
}

static const struct ma_proto *proto_by_name(const char *s, size_t n)
{
	size_t i;

	if (n == 4 && !memcmp(s, "ipfs", 4))
		return proto_by_code(GG_MA_P2P);
	for (i = 0; i < N_PROTOS; i++)
		if (strlen(ma_protos[i].name) == n &&
		    !memcmp(ma_protos[i].name, s, n))
			return &ma_protos[i];
	return NULL;
}

static int is_dns(uint64_t code)
{
	return code == GG_MA_DNS || code == GG_MA_DNS4 ||
	       code == GG_MA_DNS6 || code == GG_MA_DNSADDR;
}

static int dns_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* Dot-separated labels of 1..63 name characters; one trailing dot (a
 * fully qualified name) is allowed. */
static int dns_name_ok(const uint8_t *p, size_t n)
{
	size_t i, label = 0;

	if (n == 0 || n > DNS_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		if (p[i] == '.') {
			if (label == 0)
				return 0;
			label = 0;
		} else if (dns_char(p[i]) && ++label <= 63) {
			continue;
		} else {
			return 0;
		}
	}
	return 1;
}

/*
 * Split one component off p[0..n): its code and value, and the bytes it
 * takes.  Structure only: the value is not checked here.
 */
static int comp_split(const uint8_t *p, size_t n, struct gg_ma_comp *c,
		      const struct ma_proto **pr)
{
	uint64_t code, len;
	int a, b = 0;

	a = gg_varint_decode(p, n, &code);
	if (a < 0)
		return a == GG_ETRUNC ? GG_ETRUNC : GG_EPARSE;
	*pr = proto_by_code(code);
	if (!*pr)
		return GG_EUNSUPPORTED;
	if ((*pr)->size >= 0) {
		len = (uint64_t)(*pr)->size;
	} else {
		b = gg_varint_decode(p + a, n - (size_t)a, &len);
		if (b < 0)
			return b == GG_ETRUNC ? GG_ETRUNC : GG_EPARSE;
	}
	if (len > n - (size_t)a - (size_t)b)
		return GG_ETRUNC;
	c->code = code;
	c->val = p + a + b;
	c->len = (size_t)len;
	return a + b + (int)len;
}

static int comp_check(const struct gg_ma_comp *c)
{
	struct gg_peerid id;

	if (is_dns(c->code))
		return dns_name_ok(c->val, c->len) ? 0 : GG_EPARSE;
	if (c->code == GG_MA_P2P)
		return gg_peerid_from_bytes(c->val, c->len, &id) ? GG_EPARSE
								 : 0;
	return 0; /* fixed-size values: every bit pattern is an address */
}

int gg_multiaddr_next(const struct gg_multiaddr *ma, size_t *off,
		      struct gg_ma_comp *c)
{
	const struct ma_proto *pr;
	int rc;

	if (ma->len > GG_MULTIADDR_MAX || *off > ma->len)
		return GG_EINVAL;
	if (*off == ma->len)
		return 0;
	rc = comp_split(ma->b + *off, ma->len - *off, c, &pr);
	if (rc < 0)
		return rc;
	*off += (size_t)rc;
	return 1;
}

int gg_multiaddr_from_bytes(const uint8_t *p, size_t n,
			    struct gg_multiaddr *out)
{
	const struct ma_proto *pr;
	struct gg_ma_comp c;
	size_t off = 0;
	int rc;

	if (n == 0)
		return GG_EPARSE;
	if (n > GG_MULTIADDR_MAX)
		return GG_ETOOBIG;
	while (off < n) {
		rc = comp_split(p + off, n - off, &c, &pr);
		if (rc < 0)
			return rc;
		if (comp_check(&c))
			return GG_EPARSE;
		off += (size_t)rc;
	}
	memcpy(out->b, p, n);
	out->len = n;
	return 0;
}

/* Append one component; ma is unchanged when it does not fit. */
static int emit(struct gg_multiaddr *ma, const struct ma_proto *pr,
		const uint8_t *v, size_t n)
{
	uint8_t code[GG_VARINT_MAX_LEN], len[GG_VARINT_MAX_LEN];
	size_t cl = gg_varint_encode(pr->code, code), ll = 0;

	if (pr->size < 0)
		ll = gg_varint_encode(n, len);
	else if ((size_t)pr->size != n)
		return GG_EINTERNAL;
	if (n > GG_MULTIADDR_MAX || ma->len + cl + ll + n > GG_MULTIADDR_MAX)
		return GG_ETOOBIG;
	memcpy(ma->b + ma->len, code, cl);
	memcpy(ma->b + ma->len + cl, len, ll);
	memcpy(ma->b + ma->len + cl + ll, v, n);
	ma->len += cl + ll + n;
	return 0;
}

/* Decimal 0..65535, digits only, no leading zeros. */
static int parse_port(const char *s, size_t n, uint8_t out[2])
{
	unsigned long v = 0;
	size_t i;

	if (n == 0 || n > 5 || (n > 1 && s[0] == '0'))
		return GG_EPARSE;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return GG_EPARSE;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 65535)
		return GG_ERANGE;
	out[0] = (uint8_t)(v >> 8);
	out[1] = (uint8_t)v;
	return 0;
}

/* The text value s[0..n) of protocol pr as binary, appended to ma. */
static int parse_value(struct gg_multiaddr *ma, const struct ma_proto *pr,
		       const char *s, size_t n)
{
	char tmp[VALUE_MAX + 1];
	uint8_t v[16];
	struct gg_peerid id;
	int rc;

	if (n == 0 || n > VALUE_MAX)
		return GG_EPARSE;
	memcpy(tmp, s, n);
	tmp[n] = 0;
	switch (pr->code) {
	case GG_MA_IP4:
		if (inet_pton(AF_INET, tmp, v) != 1)
			return GG_EPARSE;
		return emit(ma, pr, v, 4);
	case GG_MA_IP6:
		if (inet_pton(AF_INET6, tmp, v) != 1)
			return GG_EPARSE;
		return emit(ma, pr, v, 16);
	case GG_MA_TCP:
	case GG_MA_UDP:
		rc = parse_port(s, n, v);
		return rc ? rc : emit(ma, pr, v, 2);
	case GG_MA_P2P:
		if (gg_peerid_parse(tmp, &id))
			return GG_EPARSE;
		return emit(ma, pr, id.b, id.len);
	default: /* the DNS family */
		if (!dns_name_ok((const uint8_t *)s, n))
			return GG_EPARSE;
		return emit(ma, pr, (const uint8_t *)s, n);
	}
}

int gg_multiaddr_parse(const char *text, struct gg_multiaddr *out)
{
	struct gg_multiaddr ma = { 0 };
	const char *s = text, *name, *val, *end;
	const struct ma_proto *pr;
	int rc;

	if (strnlen(text, TEXT_MAX + 1) > TEXT_MAX)
		return GG_ETOOBIG;
	if (*s != '/' || s[1] == 0)
		return GG_EPARSE;
	while (*s) {
		/* s is at a '/', which starts "name/value" */
		name = s + 1;
		val = strchrnul(name, '/');
		if (val == name)
			return GG_EPARSE; /* "//" or a trailing '/' */
		pr = proto_by_name(name, (size_t)(val - name));
		if (!pr)
			return GG_EUNSUPPORTED;
		if (*val != '/')
			return GG_EPARSE; /* a protocol without its value */
		val++;
		end = strchrnul(val, '/');
		rc = parse_value(&ma, pr, val, (size_t)(end - val));
		if (rc)
			return rc;
		s = end;
	}
	*out = ma;
	return 0;
}

/* Append printf output at out[*pos]; GG_ETOOBIG when it does not fit. */
static int put(char *out, size_t outsz, size_t *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int put(char *out, size_t outsz, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos >= outsz)
		return GG_ETOOBIG;
	va_start(ap, fmt);
	n = vsnprintf(out + *pos, outsz - *pos, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= outsz - *pos)
		return GG_ETOOBIG;
	*pos += (size_t)n;
	return 0;
}

static int value_str(const struct gg_ma_comp *c, char *buf, size_t bufsz)
{
	struct gg_peerid id;
	int rc;

	switch (c->code) {
	case GG_MA_IP4:
		return inet_ntop(AF_INET, c->val, buf, (socklen_t)bufsz)
			       ? 0 : GG_ETOOBIG;
	case GG_MA_IP6:
		return inet_ntop(AF_INET6, c->val, buf, (socklen_t)bufsz)
			       ? 0 : GG_ETOOBIG;
	case GG_MA_TCP:
	case GG_MA_UDP:
		rc = snprintf(buf, bufsz, "%u",
			      (unsigned)(c->val[0] << 8 | c->val[1]));
		return rc < 0 || (size_t)rc >= bufsz ? GG_ETOOBIG : 0;
	case GG_MA_P2P:
		rc = gg_peerid_from_bytes(c->val, c->len, &id);
		if (!rc)
			rc = gg_peerid_to_str(&id, buf, bufsz);
		return rc < 0 ? rc : 0;
	default:
		if (!dns_name_ok(c->val, c->len) || c->len >= bufsz)
			return GG_EPARSE;
		memcpy(buf, c->val, c->len);
		buf[c->len] = 0;
		return 0;
	}
}

int gg_multiaddr_to_str(const struct gg_multiaddr *ma, char *out,
			size_t outsz)
{
	const struct ma_proto *pr;
	struct gg_ma_comp c;
	char val[VALUE_MAX + 1];
	size_t off = 0, pos = 0;
	int rc;

	if (outsz == 0)
		return GG_ETOOBIG;
	out[0] = 0;
	while ((rc = gg_multiaddr_next(ma, &off, &c)) == 1) {
		pr = proto_by_code(c.code);
		rc = value_str(&c, val, sizeof(val));
		if (!rc)
			rc = put(out, outsz, &pos, "/%s/%s", pr->name, val);
		if (rc)
			break;
	}
	if (rc)
		out[0] = 0;
	return rc;
}

/* The host component of a TCP address as text, with its family hint. */
static int tcp_host(const struct gg_ma_comp *c, char *host, size_t hostsz,
		    int *family)
{
	switch (c->code) {
	case GG_MA_IP4:
	case GG_MA_DNS4:
		*family = AF_INET;
		break;
	case GG_MA_IP6:
	case GG_MA_DNS6:
		*family = AF_INET6;
		break;
	case GG_MA_DNS:
		*family = 0;
		break;
	default:
		return GG_EUNSUPPORTED; /* dnsaddr needs TXT lookups */
	}
	return value_str(c, host, hostsz);
}

int gg_multiaddr_tcp(const struct gg_multiaddr *ma, char *host,
		     size_t hostsz, int *family, uint16_t *port,
		     struct gg_peerid *peer, int *has_peer)
{
	struct gg_ma_comp c[4];
	size_t off = 0, n = 0;
	int rc;

	while (n < 4 && (rc = gg_multiaddr_next(ma, &off, &c[n])) == 1)
		n++;
	if (n < 4 && rc < 0)
		return rc;
	if (n < 2 || n > 3 || c[1].code != GG_MA_TCP ||
	    (n == 3 && c[2].code != GG_MA_P2P))
		return GG_EUNSUPPORTED;
	rc = tcp_host(&c[0], host, hostsz, family);
	if (rc)
		return rc;
	*port = (uint16_t)(c[1].val[0] << 8 | c[1].val[1]);
	if (has_peer)
		*has_peer = n == 3;
	if (n == 3 && peer)
		return gg_peerid_from_bytes(c[2].val, c[2].len, peer);
	return 0;
}

int gg_multiaddr_from_sockaddr(const struct sockaddr *sa,
			       struct gg_multiaddr *out)
{
	struct gg_multiaddr ma = { 0 };
	const struct sockaddr_in *in4 = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
	uint16_t port;
	uint8_t p[2];
	int rc;

	if (sa->sa_family == AF_INET) {
		rc = emit(&ma, proto_by_code(GG_MA_IP4),
			  (const uint8_t *)&in4->sin_addr, 4);
		port = ntohs(in4->sin_port);
	} else if (sa->sa_family == AF_INET6 &&
		   IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
		/* A dual-stack socket's view of an IPv4 peer. */
		rc = emit(&ma, proto_by_code(GG_MA_IP4),
			  in6->sin6_addr.s6_addr + 12, 4);
		port = ntohs(in6->sin6_port);
	} else if (sa->sa_family == AF_INET6) {
		rc = emit(&ma, proto_by_code(GG_MA_IP6),
			  in6->sin6_addr.s6_addr, 16);
		port = ntohs(in6->sin6_port);
	} else {
		return GG_EUNSUPPORTED;
	}
	p[0] = (uint8_t)(port >> 8);
	p[1] = (uint8_t)port;
	if (!rc)
		rc = emit(&ma, proto_by_code(GG_MA_TCP), p, 2);
	if (!rc)
		*out = ma;
	return rc;
}

/* Where the last component starts (ma->len when there is none). */
static int last_comp(const struct gg_multiaddr *ma, size_t *start,
		     struct gg_ma_comp *last)
{
	struct gg_ma_comp c;
	size_t off = 0, prev = 0;
	int rc;

	*start = ma->len;
	while ((rc = gg_multiaddr_next(ma, &off, &c)) == 1) {
		*start = prev;
		*last = c;
		prev = off;
	}
	return rc;
}

int gg_multiaddr_append_p2p(struct gg_multiaddr *ma,
			    const struct gg_peerid *id)
{
	struct gg_peerid tmp, have;
	struct gg_ma_comp last = { 0, NULL, 0 };
	size_t start;
	int rc;

	if (id->len > GG_PEERID_MAX ||
	    gg_peerid_from_bytes(id->b, id->len, &tmp))
		return GG_EINVAL;
	rc = last_comp(ma, &start, &last);
	if (rc)
		return rc;
	if (start < ma->len && last.code == GG_MA_P2P) {
		if (gg_peerid_from_bytes(last.val, last.len, &have))
			return GG_EPARSE;
		return gg_peerid_eq(&have, id) ? 0 : GG_EPEERID;
	}
	return emit(ma, proto_by_code(GG_MA_P2P), id->b, id->len);
}

int gg_multiaddr_strip_p2p(struct gg_multiaddr *ma, struct gg_peerid *id,
			   int *had)
{
	struct gg_ma_comp last = { 0, NULL, 0 };
	size_t start;
	int rc;

	*had = 0;
	rc = last_comp(ma, &start, &last);
	if (rc)
		return rc;
	if (start == ma->len || last.code != GG_MA_P2P)
		return 0;
	if (id) {
		rc = gg_peerid_from_bytes(last.val, last.len, id);
		if (rc)
			return rc;
	}
	ma->len = start;
	*had = 1;
	return 0;
}
