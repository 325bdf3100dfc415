#!/usr/bin/env bash
# pack.sh - `ggen marketplace pack` and `ggen marketplace registry build`:
# deterministic bytes and IDs, the archive layout DESIGN §5 pins (checked
# with python3's tarfile and the raw gzip header), refusals with clear
# messages, and an index.json whose checksums match sha256sum.
. "$(dirname "$0")/../lib.sh"

T=$(mktmp)
export GGEN_HOME=$T/home
cd "$T" || exit 1

mk_pkg() { # DIR NAME VERSION
	mkdir -p "$1/src/sub" "$1/empty"
	cat >"$1/package.toml" <<EOF
[package]
name = "$2"
version = "$3"
description = "test package $2"
category = "test"
authors = ["A", "B"]
tags = ["t1", "t2"]
dependencies = ["other@^1.0"]

[dependencies]
serde = "1"
EOF
	echo "fn main() {}" >"$1/src/main.rs"
	echo "data" >"$1/src/sub/z.txt"
	printf '#!/bin/sh\necho hi\n' >"$1/run.sh"
	chmod 0775 "$1/run.sh"
	chmod 0600 "$1/src/main.rs"
}

mk_pkg p1 alpha 1.2.3
check "pack p1" "$GGEN" marketplace pack p1
check_grep "prints the ID" '^id:  sha256:[0-9a-f]{64}$' "$OUT_F"
check_grep "prints the CID" '^cid: bafkrei[a-z2-7]{52}$' "$OUT_F"
id1=$(sed -n 's/^id:  //p' "$OUT_F")
check "default name NAME-VERSION.tar.gz" test -f alpha-1.2.3.tar.gz
check_eq "ID is the sha256 of the file" "$id1" \
	"sha256:$(sha256sum alpha-1.2.3.tar.gz | cut -d' ' -f1)"

# Same tree, other timestamps, owner-only modes, other directory: same bytes
sleep 1
cp -r p1 p2
touch -d '2001-02-03' p2/src/main.rs p2/package.toml
chmod 0700 p2/run.sh
check "pack the copy with -o --json" "$GGEN" mp pack p2 -o copy.tar.gz --json
cp "$OUT_F" pack.json
check "pack twice: identical bytes" cmp alpha-1.2.3.tar.gz copy.tar.gz
run python3 -c 'import json,sys; d=json.load(open(sys.argv[1]));
assert set(d) == {"name","version","id","cid","size","file"}, d
assert (d["name"], d["version"], d["file"]) == ("alpha","1.2.3","copy.tar.gz")
assert d["id"] == sys.argv[2], d
import os; assert d["size"] == os.path.getsize("copy.tar.gz")' \
	pack.json "$id1"
check_eq "--json has name, version, id, cid, size, file" "$RC" 0

# Packing into the package's own directory leaves the archive out
(cd p1 && "$GGEN" mp pack . >/dev/null && "$GGEN" mp pack . >/dev/null)
check "pack . twice in place: same bytes as before" \
	cmp p1/alpha-1.2.3.tar.gz alpha-1.2.3.tar.gz

# The archive layout
run python3 - alpha-1.2.3.tar.gz <<'EOF'
import sys, tarfile
raw = open(sys.argv[1], "rb").read()
assert raw[:3] == b"\x1f\x8b\x08", "gzip magic"
assert raw[3] & 0x08 == 0, "FNAME flag set"
assert raw[4:8] == b"\0\0\0\0", "gzip MTIME not zero"
t = tarfile.open(sys.argv[1])
names = [m.name for m in t.getmembers()]
assert names == sorted(names, key=lambda s: s.encode()), names
assert names == ["empty", "package.toml", "run.sh", "src", "src/main.rs",
                 "src/sub", "src/sub/z.txt"], names
for m in t.getmembers():
    assert m.mtime == 0 and m.uid == 0 and m.gid == 0, m.name
    assert m.uname == "" and m.gname == "", m.name
    assert m.isfile() or m.isdir(), m.name
    want = 0o755 if m.isdir() or m.name == "run.sh" else 0o644
    assert m.mode == want, (m.name, oct(m.mode))
EOF
check_eq "sorted entries, mtime/uid/gid 0, no names, 0644/0755, bare gzip" \
	"$RC" 0

# Refusals
mkdir -p bad1 && cp p1/package.toml bad1/ && ln -s /etc/passwd bad1/link
check_fail 1 "a symlink is refused" "$GGEN" mp pack bad1 -o bad1.tar.gz
check_grep "naming it" "bad1/link: a symbolic link" "$ERR_F"
check "nothing written" test ! -e bad1.tar.gz
mkdir -p bad2 && mkfifo bad2/fifo && cp p1/package.toml bad2/
check_fail 1 "a FIFO is refused" "$GGEN" mp pack bad2 -o x.tar.gz
check_grep "naming it" "bad2/fifo: a FIFO" "$ERR_F"
mkdir -p bad3 && echo hi >bad3/readme
check_fail 1 "no package.toml is refused" "$GGEN" mp pack bad3 -o x.tar.gz
check_grep "saying so" "package.toml" "$ERR_F"
mkdir -p bad4 && printf '[package]\nname = "x"\nversion = "1.0"\ndescription = "d"\n' >bad4/package.toml
check_fail 1 "a bad version is refused" "$GGEN" mp pack bad4 -o x.tar.gz
check_grep "with line, field and rule" \
	"bad4/package.toml:3: \[package\] version '1\.0' is not SemVer 2\.0 \(MAJOR\.MINOR\.PATCH\)" \
	"$ERR_F"
printf '[package]\nname = "x"\nversion = "1.0.0"\ndescription = "d"\ntags = [1,\n' >bad4/package.toml
check_fail 1 "a TOML syntax error is refused" "$GGEN" mp pack bad4 -o x.tar.gz
check_grep "with line:column" "bad4/package.toml:6:1: " "$ERR_F"
check_fail 2 "two directories is a usage error" "$GGEN" mp pack a b

# A non-ASCII file name: the same bytes whatever the locale, extracted back
U=$(printf 'h\xc3\xa9llo w\xc3\xb6rld.txt')
mkdir -p p4 && cp p1/package.toml p4/ && echo x >"p4/$U"
LC_ALL=C "$GGEN" mp pack p4 -o u1.tar.gz >/dev/null
LC_ALL=C.UTF-8 LANG=C.UTF-8 "$GGEN" mp pack p4 -o u2.tar.gz >/dev/null
check "UTF-8 names: same bytes in any locale" cmp u1.tar.gz u2.tar.gz
check "UTF-8 names: extracted back" \
	"${GGEN_BUILD:-$(dirname "$GGEN")}/tests/extract_tool" extract u1.tar.gz u1
check "UTF-8 names: file present" test -f "u1/$U"

# registry build
mkdir -p reg
mk_pkg p3 beta 0.1.0-rc.1
"$GGEN" mp pack p1 -o reg/alpha-1.2.3.tar.gz >/dev/null
"$GGEN" mp pack p3 -o reg/beta-0.1.0-rc.1.tar.gz >/dev/null
echo "not an archive" >reg/README.txt
check "registry build" "$GGEN" marketplace registry build reg
check_grep "says what it wrote" "reg/index.json \(2 packages\)" "$OUT_F"
run python3 - reg "" <<'EOF'
import hashlib, json, os, sys
d = json.load(open(os.path.join(sys.argv[1], "index.json")))
base = sys.argv[2]
assert d["version"] == "1.0.0" and d["updated_at"].endswith("Z"), d
ps = d["packages"]
assert [p["name"] for p in ps] == ["alpha", "beta"], ps
for p in ps:
    for k in ("name", "version", "description", "category", "tags",
              "keywords", "author", "license", "downloads", "stars",
              "dependencies", "download_url", "checksum"):
        assert k in p, (k, p)
    f = os.path.join(sys.argv[1], p["download_url"][len(base):])
    assert p["download_url"].startswith(base), p["download_url"]
    h = hashlib.sha256(open(f, "rb").read()).hexdigest()
    assert p["checksum"] == "sha256:" + h, (p["checksum"], h)
    assert p["downloads"] == 0 and p["stars"] == 0
a = ps[0]
assert a["author"] == "A, B" and a["tags"] == ["t1", "t2"], a
assert a["dependencies"] == ["other@^1.0"], a  # not [dependencies]
assert ps[1]["version"] == "0.1.0-rc.1"
assert a["download_url"] == base + "alpha-1.2.3.tar.gz"
EOF
check_eq "index.json: fields, relative URLs, checksums match sha256sum" "$RC" 0
check "registry build --base-url" "$GGEN" mp registry build reg \
	--base-url http://127.0.0.1:9/pkgs/
run python3 - reg "http://127.0.0.1:9/pkgs/" <<'EOF'
import json, os, sys
d = json.load(open(os.path.join(sys.argv[1], "index.json")))
for p in d["packages"]:
    assert p["download_url"] == sys.argv[2] + p["name"] + "-" + p["version"] + ".tar.gz", p
EOF
check_eq "index.json: absolute download URLs" "$RC" 0
cp reg/alpha-1.2.3.tar.gz reg/again.tar.gz
check_fail 1 "the same name@version twice is an error" \
	"$GGEN" mp registry build reg
check_grep "naming both files" "again.tar.gz.*alpha-1.2.3.tar.gz|alpha-1.2.3.tar.gz.*again.tar.gz" "$ERR_F"
done_testing
