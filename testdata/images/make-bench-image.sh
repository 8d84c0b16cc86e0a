#!/usr/bin/env bash
# Builds the benchmark disk image (issue 6): a raw MBR disk of 1128 MiB whose one
# NTFS partition (sector 2048 to the end) holds a Windows-like tree of more than
# 20,000 files and is more than 80% full, with the artifacts ddesweep analyses
# (documents, event logs, hives, prefetch) copied from testdata/ among them.
#
#   Windows/System32        2,500 .dll/.exe/.mui/.dat (4 KiB-2 MiB), en-US/*.mui,
#                           drivers/*.sys, DriverStore, config/ (hives),
#                           winevt/Logs/ (every EVTX of testdata/)
#   Windows/WinSxS          1,400 component folders with long names, 3 files each
#   Windows/Prefetch        testdata/prefetch/*.pf
#   Windows/INF, Fonts, Installer (large .msi), SoftwareDistribution (large .cab)
#   Program Files, Program Files (x86)
#                           40 vendor/app folders, ~2,700 files
#   Users/{alice,bob,carol,dave}
#                           NTUSER.DAT (from testdata/hives, sample-evidence),
#                           ~2,200 small AppData files each (browser and
#                           INetCache caches, UWP packages, Recent, Temp),
#                           Documents, Downloads and the Outlook attachment cache
#                           (Content.Outlook/ABCD1234) holding copies of
#                           testdata/documents/{positive,negative}, Videos (large)
#   ~50 large files (5-20 MiB) sized so that the data fills the volume to ~86%
#
# File contents are prefixes of a few hundred generated blobs (pseudo-random
# blocks mixed with text, zero runs and repeated patterns, so partly
# compressible; PE-like "MZ" headers for binaries), built in a temporary folder.
#
# Usage:  testdata/images/make-bench-image.sh OUT.raw
# Tools (Debian): apt-get install -y ntfs-3g ntfs-3g-dev faketime fdisk sleuthkit gcc pkg-config
#
# Deterministic: the blobs and the command list come from fixed seeds (integer
# arithmetic only, so no libm differences), mkntfs runs under faketime and
# ntfsbuild stamps every change with the times of its command list; two runs
# give the same sha256. Temporary space: ~0.6 GiB of blobs plus the 1.1 GiB
# volume (copied into OUT.raw at the end), besides OUT.raw itself.
# Takes about 10 seconds on 2 cores (most of it libntfs-3g writing the files).
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 OUT.raw" >&2; exit 2; }
OUT="$1"

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PATH="$PATH:/usr/sbin:/sbin" # mkntfs and ntfsresize, for a non-root PATH
TESTDATA="$(cd "$HERE/.." && pwd)"
C="$TESTDATA/sample-evidence/C"

. "$HERE/tools.sh"
require_tools "ntfs-3g ntfs-3g-dev faketime fdisk sleuthkit gcc pkg-config" mkntfs faketime cc pkg-config sfdisk fls

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export TZ=UTC LC_ALL=C
FROZEN='2023-09-14 09:55:00' # the instant mkntfs sees

DISK_MIB=1128                                  # 1.10 GiB
START=2048                                     # partition start (sector)
SECTORS=$((DISK_MIB * 2048 - START))           # partition length (sectors)
VOLUME_BYTES=$((SECTORS * 512))
FILL_PERCENT=86                                # target share of used clusters (estimate)

cc -O2 -Wall -o "$WORK/ntfsbuild" "$HERE/ntfsbuild.c" \
	$(pkg-config --cflags --libs libntfs-3g) -rdynamic

# ---------------------------------------------------------------------------
# Payload blobs
# ---------------------------------------------------------------------------
cat >"$WORK/blobgen.c" <<'EOF'
/* blobgen KIND SEED SIZE OUT: SIZE bytes of deterministic filler in OUT.
 * KIND pe: "MZ" header then mixed blocks; data: mixed blocks; text: ASCII
 * lines; media: mostly random blocks. Mixed = per 4 KiB block, random bytes,
 * words, zeros or a repeated 16-byte record (xorshift64* choices). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t s;
static uint64_t next(void)
{
	s ^= s >> 12; s ^= s << 25; s ^= s >> 27;
	return s * 2685821657736338717ULL;
}

static const char *words[] = { "the", "system", "windows", "microsoft", "file",
	"service", "update", "error", "value", "version", "component", "data",
	"registry", "policy", "install", "driver", "network", "user", "config",
	"manifest", "assembly", "culture", "neutral", "amd64", "token", "path" };

static void text(unsigned char *b, size_t n)
{
	size_t i = 0, col = 0;

	while (i < n) {
		const char *w = words[next() % (sizeof(words) / sizeof(*words))];
		size_t l = strlen(w);
		for (size_t j = 0; j < l && i < n; j++, col++)
			b[i++] = (unsigned char)w[j];
		if (i < n)
			b[i++] = col > 60 ? (col = 0, '\n') : ' ';
	}
}

int main(int argc, char **argv)
{
	const char *kind = argv[1];
	size_t size, off, n;
	unsigned char *b;
	FILE *f;

	if (argc != 5)
		return 2;
	s = strtoull(argv[2], NULL, 10) * 0x9E3779B97F4A7C15ULL + 1;
	size = strtoull(argv[3], NULL, 10);
	b = calloc(size ? size : 1, 1);
	if (!b)
		return 1;
	for (off = 0; off < size; off += 4096) {
		unsigned r = next() % 100;
		n = size - off < 4096 ? size - off : 4096;
		if (!strcmp(kind, "text"))
			text(b + off, n);
		else if (r < (strcmp(kind, "media") ? 45u : 92u))
			for (size_t i = 0; i < n; i += 8) {
				uint64_t v = next();
				memcpy(b + off + i, &v, n - i < 8 ? n - i : 8);
			}
		else if (r < 75)
			text(b + off, n);
		else if (r < 88)
			; /* zeros */
		else {
			unsigned char rec[16];
			uint64_t v = next(), w = next();
			memcpy(rec, &v, 8); memcpy(rec + 8, &w, 8);
			for (size_t i = 0; i < n; i++)
				b[off + i] = rec[i % 16] ^ (unsigned char)(i / 16);
		}
	}
	if (!strcmp(kind, "pe") && size >= 128) {
		memset(b, 0, 128);
		memcpy(b, "MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff", 14);
		b[0x3c] = 0x80;
		memcpy(b + 0x4e, "This program cannot be run in DOS mode.\r\r\n$", 43);
	}
	f = fopen(argv[4], "wb");
	if (!f || fwrite(b, 1, size, f) != size || fclose(f))
		return 1;
	free(b);
	return 0;
}
EOF
cc -O2 -Wall -o "$WORK/blobgen" "$WORK/blobgen.c"

# Pools: name prefix, kind, count, size. Files take a prefix of one blob.
PE_BLOBS=96 DATA_BLOBS=64 TEXT_BLOBS=24 MEDIA_BLOBS=12
PE_SIZE=$((2 << 20)) DATA_SIZE=$((2 << 20)) TEXT_SIZE=$((512 << 10)) MEDIA_SIZE=$((20 << 20))
mkdir "$WORK/blobs"
make_pool() { # KIND COUNT SIZE SEED0
	local i
	for ((i = 0; i < $2; i++)); do
		"$WORK/blobgen" "$1" $(($4 + i)) "$3" "$WORK/blobs/$1$i"
	done
}
make_pool pe "$PE_BLOBS" "$PE_SIZE" 1000 &
make_pool data "$DATA_BLOBS" "$DATA_SIZE" 2000 &
make_pool text "$TEXT_BLOBS" "$TEXT_SIZE" 3000
make_pool media "$MEDIA_BLOBS" "$MEDIA_SIZE" 4000
wait

# ---------------------------------------------------------------------------
# The command list for ntfsbuild (TAB-separated; see ntfsbuild.c)
# ---------------------------------------------------------------------------
cmd() { local IFS=$'\t'; printf '%s\n' "$*"; }

# The artifacts ddesweep analyses, copied from testdata/ (about 520 files).
artifacts() {
	local u f d
	cmd time 2023-09-14T10:20:00Z
	cmd mkdir Windows/System32/config/RegBack
	cmd put "$C/Windows/System32/config/SOFTWARE" Windows/System32/config/SOFTWARE
	cmd put "$C/Windows/System32/config/SYSTEM" Windows/System32/config/SYSTEM
	cmd put "$TESTDATA/hives/SOFTWARE-killbit-set" Windows/System32/config/RegBack/SOFTWARE
	cmd put "$TESTDATA/hives/SYSTEM" Windows/System32/config/RegBack/SYSTEM
	cmd mkdir Windows/Prefetch
	for f in "$TESTDATA"/prefetch/*.pf; do
		cmd put "$f" "Windows/Prefetch/${f##*/}"
	done
	cmd put "$TESTDATA/hives/alice/NTUSER.DAT" Users/alice/NTUSER.DAT
	cmd put "$TESTDATA/hives/bob/NTUSER.DAT" Users/bob/NTUSER.DAT
	cmd put "$C/Users/alice/NTUSER.DAT" Users/carol/NTUSER.DAT
	cmd put "$TESTDATA/hives/bob/NTUSER.DAT" Users/dave/NTUSER.DAT

	cmd time 2024-02-20T14:03:00Z
	for u in alice bob carol dave; do
		cmd mkdir "Users/$u/Documents/Archive"
		for f in "$TESTDATA"/documents/negative/*; do
			cmd put "$f" "Users/$u/Documents/${f##*/}"
		done
		for f in "$TESTDATA"/documents/positive/*; do
			cmd put "$f" "Users/$u/Documents/Archive/${f##*/}"
		done
	done
	cmd time 2024-03-12T09:12:41Z
	for u in alice carol; do
		d="Users/$u/AppData/Local/Microsoft/Windows/INetCache/Content.Outlook/ABCD1234"
		cmd mkdir "$d"
		for f in "$TESTDATA"/documents/positive/*; do
			cmd put "$f" "$d/${f##*/}"
		done
		cmd put "$C/Users/alice/AppData/Local/Microsoft/Windows/INetCache/Content.Outlook/7XK2LQ0B/Payment_Advice.xlsx" \
			"$d/Payment_Advice.xlsx"
	done
	cmd time 2024-03-12T09:14:07Z
	for u in alice bob dave; do
		cmd mkdir "Users/$u/Downloads"
		for f in "$TESTDATA"/documents/positive/*; do
			cmd put "$f" "Users/$u/Downloads/${f##*/}"
		done
		cmd put "$C/Users/alice/Downloads/Invoice_2291.docx" "Users/$u/Downloads/Invoice_2291.docx"
	done
	cmd put "$C/Users/bob/Documents/Quarterly_Report.docx" Users/bob/Documents/Quarterly_Report.docx
	cmd put "$C/Users/bob/Desktop/export.csv" Users/bob/Documents/export.csv

	# the event logs last, as on a live system
	cmd time 2024-03-12T10:30:00Z
	cmd mkdir Windows/System32/winevt/Logs
	for f in "$C/Windows/System32/winevt/Logs"/*.evtx "$TESTDATA"/evtx/*/*; do
		cmd put "$f" "Windows/System32/winevt/Logs/${f##*/}"
	done
}

# The filler tree, from one awk program. Random numbers: Park-Miller's
# minimal standard generator, exact in awk's doubles; no floating-point libm.
filler() {
	awk -v work="$WORK" -v volume="$VOLUME_BYTES" -v fill="$FILL_PERCENT" \
		-v pe_n="$PE_BLOBS" -v data_n="$DATA_BLOBS" -v text_n="$TEXT_BLOBS" -v media_n="$MEDIA_BLOBS" \
		-v pe_max="$PE_SIZE" -v data_max="$DATA_SIZE" -v text_max="$TEXT_SIZE" -v media_max="$MEDIA_SIZE" \
		-v extra="$1" '
	function rnd(n) { seed = (seed * 16807) % 2147483647; return seed % n }
	function hex(n,   s) { s = ""; while (n-- > 0) s = s substr("0123456789abcdef", rnd(16) + 1, 1); return s }
	function pick(list,   a, n) { n = split(list, a, " "); return a[rnd(n) + 1] }
	# size: base * 2^k plus up to as much again, k climbing with probability p%
	function rsize(base, kmax, p,   k, b) {
		k = 0; while (k < kmax && rnd(100) < p) k++
		b = base; while (k-- > 0) b *= 2
		return b + rnd(b)
	}
	function mkdir(d) { if (!(d in made)) { made[d] = 1; dirs++; printf "mkdir\t%s\n", d } }
	function blob(ext) {
		if (ext ~ /^(dll|exe|sys|mui|cpl|ocx|drv|efi|node)$/) return "pe " rnd(pe_n)
		if (ext ~ /^(inf|ini|log|js|json|css|htm|txt|cfg|ps1|manifest)$/) return "text " rnd(text_n)
		if (ext ~ /^(jpg|png|ttf|mp4|cab|msi|iso|pak|zip|etl)$/) return "media " rnd(media_n)
		return "data " rnd(data_n)
	}
	# file DIR NAME SIZE: a file of SIZE bytes (capped by its pool), unique name in DIR
	function file(d, name, size,   ext, b, a, stem, path, i, max) {
		mkdir(d)
		ext = name; sub(/.*\./, "", ext); if (ext == name) ext = ""
		path = d "/" name
		for (i = 2; path in used; i++) { stem = name; sub(/\.[^.]*$/, "", stem); path = d "/" stem i (ext != "" ? "." ext : "") }
		used[path] = 1
		b = blob(ext); split(b, a, " ")
		max = a[1] == "pe" ? pe_max : a[1] == "data" ? data_max : a[1] == "text" ? text_max : media_max
		if (size > max) size = max
		printf "write\t%s/blobs/%s%d\t%s\t0\t%d\n", work, a[1], a[2], path, size
		files++; bytes += size
		clusters += size <= 600 ? 0 : int((size + 4095) / 4096)
	}
	function word() { return pick("win net shell crypt d3d ms rpc kern user gdi ole sec audio print dx cert bcrypt wmi app font media power search sync update storage usb hid bth wlan dns dhcp tcp http smb lsa sam vss wer task time mmc cfg dev pnp") }
	function suffix() { return pick("svc core api host ext prov ui mgr lib 32 res base srv cli ps eng sys util helper") }
	BEGIN {
		seed = 20240311
		printf "time\t2023-09-14T10:00:00Z\n"
		# System32
		for (i = 0; i < 2500; i++) {
			r = rnd(100); ext = r < 60 ? "dll" : r < 75 ? "exe" : r < 85 ? "mui" : "dat"
			file("Windows/System32", word() suffix() "." ext, rsize(4096, 8, 50))
		}
		for (i = 0; i < 1200; i++) file("Windows/System32/en-US", word() suffix() ".dll.mui", rsize(4096, 3, 40))
		for (i = 0; i < 350; i++) file("Windows/System32/drivers", word() suffix() ".sys", rsize(4096, 6, 45))
		for (i = 0; i < 300; i++) {
			d = "Windows/System32/DriverStore/FileRepository/" word() suffix() ".inf_amd64_" hex(16)
			file(d, word() ".inf", rsize(2048, 3, 40)); file(d, word() ".cat", rsize(4096, 1, 30))
			file(d, word() suffix() ".sys", rsize(4096, 5, 45)); file(d, word() suffix() ".dll", rsize(4096, 5, 45))
		}
		for (i = 0; i < 800; i++) file("Windows/INF", word() suffix() ".inf", rsize(1024, 4, 45))
		for (i = 0; i < 300; i++) file("Windows/Fonts", word() suffix() ".ttf", rsize(16384, 5, 50))
		# WinSxS: long component names, deep folders
		for (i = 0; i < 1400; i++) {
			d = "Windows/WinSxS/" pick("amd64 wow64 x86 msil") "_microsoft-windows-" word() "-" word() suffix() \
				"_31bf3856ad364e35_10.0.19041." rnd(4000) "_none_" hex(16)
			if (rnd(4) == 0) d = d "/" pick("f r n")
			file(d, word() suffix() "." pick("dll dll exe mui manifest"), rsize(4096, 5, 45))
			file(d, word() suffix() "." pick("dll mui dat"), rsize(4096, 4, 40))
			file(d, word() ".manifest", rsize(1024, 2, 40))
		}
		# Program Files
		printf "time\t2023-09-14T10:40:00Z\n"
		for (i = 0; i < 40; i++) {
			pf = i < 25 ? "Program Files" : "Program Files (x86)"
			d = pf "/" pick("Contoso Fabrikam Northwind Litware Adatum Tailspin Wingtip Proseware Woodgrove Fourth") \
				" " pick("Tools Suite Studio Agent Viewer Sync Reader Client Updater Manager")
			n = 40 + rnd(50)
			for (j = 0; j < n; j++) {
				sub_d = rnd(3) == 0 ? d "/" pick("bin lib plugins resources locales x64 data") : d
				file(sub_d, word() suffix() "." pick("dll dll dll exe pak dat json txt js"), rsize(2048, 6, 45))
			}
		}
		# Users
		printf "time\t2023-10-02T08:15:00Z\n"
		nu = split("alice bob carol dave", users, " ")
		for (u = 1; u <= nu; u++) {
			h = "Users/" users[u] "/AppData"
			for (j = 0; j < 8; j++) {
				d = h "/Local/Microsoft/Windows/INetCache/IE/" toupper(hex(8))
				for (k = 0; k < 120; k++) file(d, word() hex(4) "[1]." pick("jpg png js css htm gif"), rsize(512, 4, 45))
			}
			for (k = 0; k < 10; k++) file(h "/Local/Microsoft/Windows/Explorer", "thumbcache_" pick("16 32 48 96 256 1280 idx sr wide exif") ".db", rsize(65536, 3, 50))
			for (j = 0; j < 20; j++) {
				d = h "/Local/Packages/Microsoft." word() suffix() "_8wekyb3d8bbwe"
				for (k = 0; k < 20; k++) file(d "/" pick("LocalState AC Settings TempState LocalCache"), word() hex(6) "." pick("dat json db tmp"), rsize(512, 4, 40))
			}
			for (k = 0; k < 500; k++) file(h "/Local/Google/Chrome/User Data/Default/Cache/Cache_Data", sprintf("f_%06x", k + 1), rsize(1024, 4, 40))
			for (k = 0; k < 60; k++) file(h "/Roaming/Microsoft/Windows/Recent", word() " " word() ".lnk", rsize(512, 1, 30))
			for (k = 0; k < 150; k++) file(h "/Local/Temp", "~DF" toupper(hex(4)) ".tmp", rsize(1024, 4, 40))
			for (k = 0; k < 100; k++) file(h "/Roaming/" pick("Contoso Fabrikam Northwind Litware") "/" pick("cache logs state"), word() hex(3) "." pick("log dat json"), rsize(512, 4, 40))
		}
		# Large files: fill the volume to the target share, 5-20 MiB each
		printf "time\t2024-01-09T03:00:00Z\n"
		mft = (files + dirs + extra + 64) * 1024 * 1.2
		left = volume * fill / 100 - clusters * 4096 - mft - extra * 24576
		each = left / 50
		for (i = 0; i < 50; i++) {
			size = int(each * (60 + rnd(81)) / 100 / 4096) * 4096
			if (size < 5 * 1048576) size = 5 * 1048576
			if (size > 20 * 1048576) size = 20 * 1048576
			if (i < 15) file("Windows/Installer", toupper(hex(7)) ".msi", size)
			else if (i < 25) file("Windows/SoftwareDistribution/Download/" hex(32), "Windows10.0-KB50" rnd(100000) "-x64.cab", size)
			else if (i < 37) file("Users/" users[1 + i % 4] "/Videos", pick("meeting demo training holiday recording") "_" i ".mp4", size)
			else if (i < 42) file("Users/" users[1 + i % 4] "/Downloads", pick("ubuntu setup installer tools") "-" i ".iso", size)
			else file("Program Files/Contoso Studio/resources", "resources" i ".pak", size)
		}
		printf "filler: %d files, %d folders, %.0f MiB of data\n", files, dirs, bytes / 1048576 > "/dev/stderr"
	}'
}

artifacts >"$WORK/artifacts.tsv"
ARTIFACT_FILES=$(grep -c '^put' "$WORK/artifacts.tsv")
filler "$ARTIFACT_FILES" >"$WORK/commands.tsv"
cat "$WORK/artifacts.tsv" >>"$WORK/commands.tsv"

# ---------------------------------------------------------------------------
# The volume, then the disk
# ---------------------------------------------------------------------------
VOL="$WORK/volume.ntfs"
truncate -s "$VOLUME_BYTES" "$VOL"
faketime "$FROZEN" mkntfs -F -q -Q -L DDESWEEP-BENCH -c 4096 -s 512 -p "$START" \
	-H 255 -S 63 "$VOL" "$SECTORS" 2>/dev/null
"$WORK/ntfsbuild" "$VOL" <"$WORK/commands.tsv"

rm -f "$OUT"
truncate -s $((DISK_MIB << 20)) "$OUT"
sfdisk --quiet --no-reread --no-tell-kernel "$OUT" <<EOF
label: dos
label-id: 0xdde5be01
unit: sectors

start=$START, size=$SECTORS, type=7, bootable
EOF
dd if="$VOL" of="$OUT" bs=1M seek=1 conv=notrunc,sparse status=none

# ---------------------------------------------------------------------------
# Check with the Sleuth Kit and report
# ---------------------------------------------------------------------------
FILES=$(fls -r -p -o "$START" "$OUT" | awk -F'\t' '$1 ~ /^r\/r / && $2 !~ /^\$/ && $2 !~ /:/' | wc -l)
[ "$FILES" -ge 20000 ] || { echo "only $FILES files" >&2; exit 1; }
# share of the volume's clusters in use (ntfsresize reads $Bitmap); the large
# files' sizes come from an estimate that leaves out the directory indexes and
# $LogFile, so the volume ends up a little fuller than FILL_PERCENT (89.3%)
USED=$(ntfsresize --info --force --no-progress-bar "$VOL" 2>/dev/null |
	awk '/^Space in use/ { gsub(/[(%)]/, "", $NF); print $NF }')
awk -v u="$USED" 'BEGIN { exit !(u >= 80) }' || { echo "volume only ${USED:-?}% full" >&2; exit 1; }
echo "built $OUT: $(stat -c %s "$OUT") bytes, NTFS at sector $START, $FILES files (fls: live regular files), $USED% of the volume in use"
