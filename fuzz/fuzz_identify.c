/* fuzz_identify.c - arbitrary bytes as an Identify message body: the
 * decoder must refuse or decode within its caps, and whatever it keeps
 * must be well formed (valid multiaddrs, bounded strings and counts). */
#include <stddef.h>
#include <stdint.h>

#include "p2p/identify.h"

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	struct gg_identify_info info;
	char s[GG_MULTIADDR_STR_MAX];
	int i;

	if (gg_identify_decode(p, n, &info) != 0)
		return 0;
	if (info.naddrs > GG_PS_MAX_ADDRS || info.nprotos > GG_PS_MAX_PROTOS ||
	    info.pubkey_len > sizeof(info.pubkey))
		__builtin_trap();
	for (i = 0; i < info.naddrs; i++)
		if (gg_multiaddr_to_str(&info.addrs[i], s, sizeof(s)))
			__builtin_trap();
	for (i = 0; i < info.nprotos; i++)
		if (strlen(info.protos[i]) >= GG_PS_MAX_PROTO_LEN)
			__builtin_trap();
	if (strlen(info.agent) >= sizeof(info.agent))
		__builtin_trap();
	gg_identify_info_release(&info);
	return 0;
}
