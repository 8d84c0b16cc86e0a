#!/usr/bin/env bash
# Rebuilds the NTFS disk-image fixtures in this folder, without mounting anything:
#
#   ntfs-bare.raw   6 MiB bare NTFS volume (no partition table)
#   ntfs-mbr.raw    8 MiB MBR disk: NTFS at 1 MiB (6 MiB), FAT12 at 7 MiB (1 MiB)
#   ntfs-gpt.raw    8 MiB GPT disk: NTFS at 1 MiB (6 MiB)
#   ntfs-mbr.E01    ewfacquire of ntfs-mbr.raw (EnCase 6, deflate best)
#
# Each NTFS volume holds the same tree, built by the same command list (so the
# MFT record numbers are the same in all three): the demo host from
# testdata/sample-evidence/C, a Zone.Identifier stream on the invoice, a
# fragmented document, a folder with NTFS (LZNT1) compression, a deleted RTF
# and a timestomped document ($STANDARD_INFORMATION times set back to 2019,
# $FILE_NAME times left as written).
#
# Tools (Debian): apt-get install -y ntfs-3g ntfs-3g-dev faketime fdisk gdisk \
#                 dosfstools ewf-tools sleuthkit gcc pkg-config
#   mkntfs            makes each volume (on a plain file, -F)
#   ntfsbuild.c       (beside this script, compiled here against libntfs-3g)
#                     creates directories, files, streams, deletes; ntfs-3g's
#                     own tools cannot make a directory or delete a file
#                     without a FUSE mount, see the comment at its top
#   sfdisk, sgdisk    partition tables; mkfs.fat --offset the FAT partition
#   ewfacquire        the E01; fls/istat/icat (Sleuth Kit) verify everything
#
# Determinism: running this twice gives byte-identical .raw files.
#   - mkntfs runs under faketime at a fixed instant: its timestamps and the
#     volume serial number (it seeds random() from the clock) are then fixed.
#     mkntfs has no option to set the serial; -T would zero the times instead.
#   - ntfsbuild stamps every change with the time given by its "time" lines.
#   - MBR disk id, GPT disk/partition GUIDs and the FAT volume id are fixed
#     (sfdisk label-id, sgdisk -U/-u, mkfs.fat -i --invariant).
#   - The E01's header records the acquisition and system dates (frozen by
#     faketime to $FROZEN, so two runs here give the same file), the host
#     operating system ("Linux") and the libewf version ("20140813", Debian
#     12's ewf-tools): another libewf or zlib gives a different .E01 with the
#     same media data and MD5; compare with ewfverify / ewfinfo, not sha256.
#
# Usage: testdata/images/make-images.sh   (from anywhere; writes beside itself)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TESTDATA="$(cd "$HERE/.." && pwd)"
C="$TESTDATA/sample-evidence/C"
DOCS="$TESTDATA/documents/positive"

. "$HERE/tools.sh"
require_tools "ntfs-3g ntfs-3g-dev faketime fdisk gdisk dosfstools ewf-tools sleuthkit gcc pkg-config" mkntfs faketime cc pkg-config sfdisk sgdisk mkfs.fat ewfacquire ewfverify fls istat icat

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# The instant mkntfs and ewfacquire see (faketime without '@' freezes the clock).
FROZEN='2024-03-11 08:00:00'
export TZ=UTC

cc -O2 -Wall -o "$WORK/ntfsbuild" "$HERE/ntfsbuild.c" \
	$(pkg-config --cflags --libs libntfs-3g) -rdynamic

# ---------------------------------------------------------------------------
# Generated inputs
# ---------------------------------------------------------------------------

# Mark-of-the-Web stream of the downloaded invoice.
printf '[ZoneTransfer]\r\nZoneId=3\r\nReferrerUrl=https://mail.example.com/\r\nHostUrl=https://files.example.net/Invoice_2291.docx\r\n' \
	>"$WORK/Zone.Identifier"

# A compressible CSV (about 48 KiB of contacts) with export.csv's DDE row in the
# middle: it goes into the compressed folder, so reading it needs LZNT1.
{
	head -n 1 "$C/Users/bob/Desktop/export.csv"
	for i in $(seq 1 700); do
		if [ "$i" -eq 500 ]; then
			grep -F '=MSEXCEL' "$C/Users/bob/Desktop/export.csv"
		fi
		printf 'Contact%03d,Archive,contact%03d@contoso.example,+33 4 72 00 %02d %02d,Contoso,\n' \
			"$i" "$i" $((i / 100)) $((i % 100))
	done
} >"$WORK/contacts-archive.csv"

# Filler written between the two halves of the fragmented document: a Word
# temporary file (16 KiB, 4 clusters), left in place.
for i in $(seq 0 511); do printf 'WRL%04d tmp data block for fixture -\n' "$i"; done >"$WORK/filler.tmp"
truncate -s 16384 "$WORK/filler.tmp"

FRAG_SRC="$DOCS/word-every-part.docm" # 8485 bytes = 3 clusters of 4 KiB

STOMP_TIME=2019-06-04T09:12:00Z # the timestomped $SI times of Quarterly_Report.docx

# ---------------------------------------------------------------------------
# The command list for ntfsbuild (TAB-separated; see ntfsbuild.c)
# ---------------------------------------------------------------------------
cmd() { local IFS=$'\t'; printf '%s\n' "$*"; }
{
	cmd time 2024-03-11T08:05:00Z
	cmd mkdir Windows/System32/config
	cmd put "$C/Windows/System32/config/SOFTWARE" Windows/System32/config/SOFTWARE
	cmd put "$C/Windows/System32/config/SYSTEM" Windows/System32/config/SYSTEM
	cmd mkdir Windows/System32/winevt/Logs
	cmd put "$C/Windows/System32/winevt/Logs/Security.evtx" Windows/System32/winevt/Logs/Security.evtx
	cmd put "$C/Windows/System32/winevt/Logs/Microsoft-Windows-Sysmon%4Operational.evtx" \
		"Windows/System32/winevt/Logs/Microsoft-Windows-Sysmon%4Operational.evtx"
	cmd mkdir Windows/Prefetch
	cmd put "$C/Windows/Prefetch/CMD.EXE-4A81B364.pf" Windows/Prefetch/CMD.EXE-4A81B364.pf

	cmd time 2024-03-11T08:30:00Z
	cmd mkdir Users/alice/Documents
	cmd put "$C/Users/alice/NTUSER.DAT" Users/alice/NTUSER.DAT
	cmd put "$C/Users/alice/Documents/notes.txt" Users/alice/Documents/notes.txt
	cmd mkdir Users/alice/Pictures
	cmd put "$C/Users/alice/Pictures/photo.jpg" Users/alice/Pictures/photo.jpg
	cmd mkdir Users/bob/Desktop
	cmd put "$C/Users/bob/Desktop/export.csv" Users/bob/Desktop/export.csv
	# bob compresses his Documents folder: what is created in it afterwards is
	# stored LZNT1-compressed (compression unit 16 clusters)
	cmd mkdir Users/bob/Documents
	cmd compress Users/bob/Documents
	cmd put "$C/Users/bob/Documents/Quarterly_Report.docx" Users/bob/Documents/Quarterly_Report.docx
	cmd put "$WORK/contacts-archive.csv" Users/bob/Documents/contacts-archive.csv
	# bob's report is timestomped: its $STANDARD_INFORMATION times (all four)
	# are set back to an instant years before its $FILE_NAME creation
	cmd stomp Users/bob/Documents/Quarterly_Report.docx "$STOMP_TIME"

	# alice reads mail: Outlook's attachment cache, then the invoice download
	cmd time 2024-03-12T09:12:41Z
	cmd mkdir Users/alice/AppData/Local/Microsoft/Windows/INetCache/Content.Outlook/7XK2LQ0B
	cmd put "$C/Users/alice/AppData/Local/Microsoft/Windows/INetCache/Content.Outlook/7XK2LQ0B/Payment_Advice.xlsx" \
		Users/alice/AppData/Local/Microsoft/Windows/INetCache/Content.Outlook/7XK2LQ0B/Payment_Advice.xlsx
	cmd time 2024-03-12T09:14:07Z
	cmd mkdir Users/alice/Downloads
	cmd put "$C/Users/alice/Downloads/Invoice_2291.docx" Users/alice/Downloads/Invoice_2291.docx
	cmd ads "$WORK/Zone.Identifier" Users/alice/Downloads/Invoice_2291.docx Zone.Identifier

	# Fragmentation: the first cluster of the document is written, then a
	# 4-cluster temporary file takes the clusters right after it, then the
	# rest of the document is appended: libntfs-3g allocates the new clusters
	# after the temporary file, so $DATA has two runs (1 + 2 clusters).
	cmd time 2024-03-12T09:20:00Z
	cmd write "$FRAG_SRC" Users/alice/Documents/Meeting_Minutes.docm 0 4096
	cmd mkdir Users/alice/AppData/Local/Temp
	cmd put "$WORK/filler.tmp" Users/alice/AppData/Local/Temp/~WRL0001.tmp
	cmd write "$FRAG_SRC" Users/alice/Documents/Meeting_Minutes.docm 4096 -1

	# bob saves an RTF on his desktop and deletes it (no Recycle Bin): the
	# MFT record is freed, its resident data stays in the record.
	cmd time 2024-03-12T10:02:13Z
	cmd put "$DOCS/rtf-ddeauto.rtf" Users/bob/Desktop/deleted.rtf
	cmd time 2024-03-12T10:05:55Z
	cmd rm Users/bob/Desktop/deleted.rtf
} >"$WORK/commands.tsv"

# build_volume FILE SECTORS START_SECTOR: a fresh NTFS volume of SECTORS
# 512-byte sectors in FILE, recording START_SECTOR as its partition offset
# (the boot sector's "hidden sectors"), populated by the command list.
build_volume() {
	local out="$1" sectors="$2" start="$3"
	rm -f "$out"
	truncate -s $((sectors * 512)) "$out"
	faketime "$FROZEN" mkntfs -F -q -Q -L DDESWEEP -c 4096 -s 512 -p "$start" \
		-H 255 -S 63 "$out" "$sectors"
	"$WORK/ntfsbuild" "$out" <"$WORK/commands.tsv"
}

NTFS_SECTORS=12288 # 6 MiB
NTFS_START=2048    # 1 MiB

# --- ntfs-bare.raw ----------------------------------------------------------
build_volume "$HERE/ntfs-bare.raw" "$NTFS_SECTORS" 0

# --- ntfs-mbr.raw -----------------------------------------------------------
MBR="$HERE/ntfs-mbr.raw"
rm -f "$MBR"
truncate -s 8M "$MBR"
sfdisk --quiet --no-reread --no-tell-kernel "$MBR" <<EOF
label: dos
label-id: 0xdde5ee01
unit: sectors

start=$NTFS_START, size=$NTFS_SECTORS, type=7, bootable
start=14336, size=2048, type=1
EOF
build_volume "$WORK/mbr-p1.ntfs" "$NTFS_SECTORS" "$NTFS_START"
dd if="$WORK/mbr-p1.ntfs" of="$MBR" bs=512 seek="$NTFS_START" conv=notrunc,sparse status=none
# 1 MiB FAT12 at sector 14336 (its block count is in KiB)
mkfs.fat -F 12 -n SCRATCH --invariant -i dde5f001 --offset=14336 "$MBR" 1024 >/dev/null

# --- ntfs-gpt.raw -----------------------------------------------------------
GPT="$HERE/ntfs-gpt.raw"
rm -f "$GPT"
truncate -s 8M "$GPT"
sgdisk --clear \
	--disk-guid=DDE5EE00-0000-4000-8000-000000000001 \
	--new=1:$NTFS_START:$((NTFS_START + NTFS_SECTORS - 1)) \
	--typecode=1:0700 --change-name=1:"Basic data partition" \
	--partition-guid=1:DDE5EE00-0000-4000-8000-000000000002 \
	"$GPT" >/dev/null
build_volume "$WORK/gpt-p1.ntfs" "$NTFS_SECTORS" "$NTFS_START"
dd if="$WORK/gpt-p1.ntfs" of="$GPT" bs=512 seek="$NTFS_START" conv=notrunc,sparse status=none

# --- ntfs-mbr.E01 -----------------------------------------------------------
rm -f "$HERE/ntfs-mbr.E01"
faketime "$FROZEN" ewfacquire -u -q -t "$WORK/ntfs-mbr" -f encase6 -c deflate:best \
	-C DDESWEEP-0006 -D "ddesweep NTFS fixture: ntfs-mbr.raw" -E 1 \
	-e "ddesweep dev" -N "built by testdata/images/make-images.sh" \
	-m fixed -M physical -d sha256 "$MBR" >/dev/null
mv "$WORK/ntfs-mbr.E01" "$HERE/ntfs-mbr.E01"

# --- split-e01/ntfs-mbr.E01 ... .E09 -----------------------------------------
# The same disk in nine 1 MiB segments (uncompressed, so that it needs several):
# the reader must find E02... beside E01 and read across segment borders.
rm -rf "$HERE/split-e01"
mkdir -p "$HERE/split-e01"
faketime "$FROZEN" ewfacquire -u -q -t "$WORK/split" -f encase6 -c none -S 1MiB \
	-C DDESWEEP-0006 -D "ddesweep NTFS fixture: ntfs-mbr.raw in segments" -E 2 \
	-e "ddesweep dev" -N "built by testdata/images/make-images.sh" \
	-m fixed -M physical -d sha256 "$MBR" >/dev/null
mv "$WORK"/split.E0? "$HERE/split-e01/"
for segment in "$HERE"/split-e01/split.E0?; do
	mv "$segment" "$HERE/split-e01/ntfs-mbr.${segment##*.}"
done

# ---------------------------------------------------------------------------
# Verification (Sleuth Kit reads what was built; any mismatch stops the script)
# ---------------------------------------------------------------------------
fail() { echo "verify: $*" >&2; exit 1; }

# inode NAME IMAGE [OFFSET]: MFT record of the live file whose path is NAME
inode() { fls -r -p -o "${3:-0}" "$2" | awk -F'\t' -v n="$1" '$2 == n { split($1, a, " "); sub(/-.*/, "", a[2]); print a[2]; exit }'; }

check_volume() {
	local img="$1" off="$2" n runs
	fls -r -p -o "$off" "$img" >/dev/null || fail "fls cannot read $img"
	for f in Users/alice/Downloads/Invoice_2291.docx Users/alice/NTUSER.DAT \
		Windows/System32/config/SOFTWARE Windows/Prefetch/CMD.EXE-4A81B364.pf \
		"Windows/System32/winevt/Logs/Microsoft-Windows-Sysmon%4Operational.evtx"; do
		n=$(inode "$f" "$img" "$off")
		[ -n "$n" ] || fail "$img: $f missing"
		cmp -s <(icat -o "$off" "$img" "$n") "$C/$f" || fail "$img: $f differs"
	done
	# the stream
	n=$(inode Users/alice/Downloads/Invoice_2291.docx "$img" "$off")
	cmp -s <(icat -o "$off" "$img" "$n-128-4") "$WORK/Zone.Identifier" || fail "$img: Zone.Identifier"
	# the fragmented file: two runs, content intact
	n=$(inode Users/alice/Documents/Meeting_Minutes.docm "$img" "$off")
	cmp -s <(icat -o "$off" "$img" "$n") "$FRAG_SRC" || fail "$img: fragmented file differs"
	runs=$(istat -o "$off" "$img" "$n" | awk '/^Type: \$DATA/ { d = 1; next } d && /^[0-9 ]+$/' | tr -s ' \n' '\n\n' |
		awk 'NF { if (NR > 1 && $1 != prev + 1) r++; prev = $1 } END { print r + 1 }')
	[ "$runs" -ge 2 ] || fail "$img: Meeting_Minutes.docm has $runs run(s)"
	# the compressed file
	n=$(inode Users/bob/Documents/contacts-archive.csv "$img" "$off")
	istat -o "$off" "$img" "$n" | grep -q 'Non-Resident, Compressed' || fail "$img: not compressed"
	cmp -s <(icat -o "$off" "$img" "$n") "$WORK/contacts-archive.csv" || fail "$img: compressed file differs"
	# the deleted file: listed as deleted, recovered whole by icat
	n=$(fls -r -d -p -o "$off" "$img" | awk -F'\t' '$2 == "Users/bob/Desktop/deleted.rtf" { split($1, a, " "); sub(/-.*/, "", a[3]); print a[3] }')
	[ -n "$n" ] || fail "$img: deleted.rtf not listed as deleted"
	cmp -s <(icat -o "$off" "$img" "$n") "$DOCS/rtf-ddeauto.rtf" || fail "$img: deleted.rtf not recovered"
	# the timestomped file: the four $SI times at the stomp instant, the four
	# $FN times still at its creation
	n=$(inode Users/bob/Documents/Quarterly_Report.docx "$img" "$off")
	times=$(istat -o "$off" "$img" "$n" | awk '
		/^\$STANDARD_INFORMATION Attribute Values:/ { s = "SI" } /^\$FILE_NAME Attribute Values:/ { s = "FN" }
		/^Attributes:/ { s = "" }
		s && /^(Created|File Modified|MFT Modified|Accessed):/ { sub(/^[^\t]*\t/, ""); printf "%s %s\n", s, $0 }')
	[ "$times" = "$(for i in 1 2 3 4; do echo "SI 2019-06-04 09:12:00.000000000 (UTC)"; done
		for i in 1 2 3 4; do echo "FN 2024-03-11 08:30:00.000000000 (UTC)"; done)" ] ||
		fail "$img: Quarterly_Report.docx is not timestomped as expected: $times"
}

check_volume "$HERE/ntfs-bare.raw" 0
check_volume "$MBR" "$NTFS_START"
check_volume "$GPT" "$NTFS_START"
ewfverify -q "$HERE/ntfs-mbr.E01" >/dev/null || fail "ewfverify ntfs-mbr.E01"

echo "built and verified:"
(cd "$HERE" && sha256sum ntfs-bare.raw ntfs-mbr.raw ntfs-gpt.raw ntfs-mbr.E01)
