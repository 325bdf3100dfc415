#!/usr/bin/env bash
# archive_safety.sh - malicious archives crafted with python3's tarfile are
# refused by the extractor (build/tests/extract_tool, the same code that
# `install` uses): exit 1, a message naming the entry, and nothing left in
# the target directory (no destination, no temporary tree).
. "$(dirname "$0")/../lib.sh"

TOOL=${GGEN_BUILD:-$(dirname "$GGEN")}/tests/extract_tool
T=$(mktmp)
A=$T/archives

if [ ! -x "$TOOL" ]; then
	not_ok "helper $TOOL exists"
	done_testing
fi

mkdir -p "$A"
python3 - "$A" <<'EOF' || { not_ok "craft archives"; done_testing; }
import io, sys, tarfile, gzip, os
out = sys.argv[1]

def add_file(t, name, data=b"x", mode=0o644):
    ti = tarfile.TarInfo(name); ti.size = len(data); ti.mode = mode
    t.addfile(ti, io.BytesIO(data))

def make(fname, build, fmt=tarfile.USTAR_FORMAT):
    with tarfile.open(os.path.join(out, fname), "w:gz", format=fmt) as t:
        add_file(t, "package.toml",
                 b'[package]\nname = "evil"\nversion = "1.0.0"\n'
                 b'description = "d"\n')
        build(t)

def special(name, typ, **kw):
    def b(t):
        ti = tarfile.TarInfo(name); ti.type = typ
        for k, v in kw.items(): setattr(ti, k, v)
        t.addfile(ti)
    return b

make("good.tar.gz", lambda t: add_file(t, "src/a.txt", b"hello"))
make("dotdot.tar.gz", lambda t: add_file(t, "../evil.txt"))
make("dotdot_mid.tar.gz", lambda t: add_file(t, "src/../../evil.txt"))
make("absolute.tar.gz", lambda t: add_file(t, "/tmp/evil.txt"))
make("symlink.tar.gz", special("link", tarfile.SYMTYPE, linkname="/etc/passwd"))
make("hardlink.tar.gz", special("hard", tarfile.LNKTYPE, linkname="package.toml"))
make("chrdev.tar.gz", special("null", tarfile.CHRTYPE, devmajor=1, devminor=3))
make("fifo.tar.gz", special("pipe", tarfile.FIFOTYPE))
make("duplicate.tar.gz", lambda t: (add_file(t, "a.txt", b"1"),
                                    add_file(t, "./a.txt", b"2")))
make("many.tar.gz", lambda t: [add_file(t, "f%03d" % i) for i in range(20)])
make("big.tar.gz", lambda t: add_file(t, "big.bin", b"\0" * 200000))
# a highly compressible 64 MiB file: a gzip bomb against a 1 MiB limit
def bomb(t):
    ti = tarfile.TarInfo("bomb.bin"); ti.size = 64 << 20
    t.addfile(ti, io.BytesIO(bytes(64 << 20)))
make("bomb.tar.gz", bomb)
# not gzip at all, and a plain (uncompressed) tar
open(os.path.join(out, "garbage.tar.gz"), "wb").write(b"not an archive" * 10)
with tarfile.open(os.path.join(out, "plain.tar.gz"), "w") as t:
    add_file(t, "package.toml", b"[package]\n")
EOF

# refuse NAME PATTERN [OPTIONS...]: exit 1, message matches, nothing left
refuse() {
	local name=$1 pat=$2 dest
	shift 2
	dest=$T/dest-$name
	mkdir -p "$dest"
	run "$TOOL" "$@" extract "$A/$name.tar.gz" "$dest/pkg"
	if [ "$RC" -ne 1 ]; then
		T_SHOW=1 not_ok "$name refused (exit 1)" "exit $RC"
	elif ! grep -Eq -- "$pat" "$OUT_F"; then
		T_SHOW=1 not_ok "$name refused: /$pat/"
	elif [ -n "$(ls -A "$dest")" ]; then
		not_ok "$name refused, nothing left" "$(ls -A "$dest")"
	else
		ok "$name refused: $(head -c 120 "$OUT_F")"
	fi
}

check "a good archive extracts" "$TOOL" --need-manifest extract \
	"$A/good.tar.gz" "$T/good/pkg"
check_eq "its file content" "$(cat "$T/good/pkg/src/a.txt" 2>&1)" hello
check_eq "no temporary tree left" "$(ls -A "$T/good")" pkg

refuse dotdot "entry 2 '\.\./evil\.txt': path has a '\.\.' component"
refuse dotdot_mid "entry 2 'src/\.\./\.\./evil\.txt': path has a '\.\.'"
refuse absolute "entry 2 '/tmp/evil\.txt': absolute path"
refuse symlink "entry 2 'link': symbolic links are not allowed"
refuse hardlink "entry 2 'hard': hard links are not allowed"
refuse chrdev "entry 2 'null': character devices are not allowed"
refuse fifo "entry 2 'pipe': FIFOs are not allowed"
refuse duplicate "entry 3 '(\./)?a\.txt': duplicate entry"
refuse many "entry 11 'f009': more entries than the limit allows" \
	--max-entries 10
refuse big "entry 2 'big\.bin': more unpacked bytes than the limit" \
	--max-bytes 100000
refuse bomb "entry 2 'bomb\.bin': more unpacked bytes than the limit" \
	--max-bytes 1048576
refuse garbage "cannot open the archive|Unrecognized archive format|malformed"
refuse plain "not a gzip-compressed tar"

# the limits hold for listing and manifest reading too
run "$TOOL" --max-bytes 100000 list "$A/big.tar.gz"
check_eq "list applies the byte limit" "$RC" 1
run "$TOOL" manifest "$A/symlink.tar.gz"
check_eq "manifest reading stops at package.toml (it comes first)" \
	"$(cat "$OUT_F")" "evil 1.0.0"

# an existing destination is kept unless replacing
mkdir -p "$T/keep/pkg"
echo old >"$T/keep/pkg/old.txt"
run "$TOOL" extract "$A/good.tar.gz" "$T/keep/pkg"
check_grep "existing destination refused" "already exists" "$OUT_F"
check_eq "old tree untouched" "$(cat "$T/keep/pkg/old.txt")" old
check "--replace swaps the tree" "$TOOL" --replace extract \
	"$A/good.tar.gz" "$T/keep/pkg"
check_eq "new tree in place, old gone, no leftovers" \
	"$(ls -A "$T/keep") $(ls "$T/keep/pkg" | tr '\n' ' ')" \
	"pkg package.toml src "
done_testing
