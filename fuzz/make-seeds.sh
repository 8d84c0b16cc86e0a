#!/bin/bash
# Builds the seed corpus of every fuzz target from testdata/ into fuzz/seeds/TARGET/ (not
# committed: it is made from committed fixtures). The document targets and `hive` read a first
# byte that frames the input (see src/fuzzing.rs): the seeds carry it. The `ntfs` seed needs
# mkntfs and ntfscp (Debian: ntfs-3g); without them that target starts from the other images.
set -euo pipefail
cd "$(dirname "$0")"
T=../testdata
S=seeds
rm -rf "$S"
mkdir -p "$S"/{ooxml,ole,rtf,delimited,evtx,hive,prefetch,partitions,ntfs,carver}

# put TARGET FRAMING-BYTE FILE [NAME]: the file, after one framing byte (none when empty).
put() {
    local out="$S/$1/${4:-$(basename "$3")}"
    if [ -n "$2" ]; then printf "\\x$2" > "$out"; else : > "$out"; fi
    cat "$3" >> "$out"
}

# Documents: the target by magic, the framing byte picking the name with the same extension
# (the name lists of src/fuzzing.rs).
for f in "$T"/documents/{positive,negative,hostile}/*; do
    [ "$(basename "$f")" = zipbomb.docx ] && continue
    magic=$(head -c 5 "$f" | od -An -tx1 | tr -d ' \n')
    ext=${f##*.}
    case "$magic" in
        504b*) target=ooxml
            case "$ext" in docm) b=01;; xlsx) b=02;; xlsm) b=03;; xlsb) b=04;; pptx|ppsx) b=05;; *) b=00;; esac;;
        d0cf11e0*) target=ole
            case "$ext" in xls) b=01;; msg) b=02;; docx) b=03;; xlsx) b=04;; *) b=00;; esac;;
        7b5c727466|7b5c7274*) target=rtf; b=00;;
        *) target=delimited
            case "$ext" in slk) b=01;; iqy) b=02;; xml) b=03;; txt) b=04;; *) b=00;; esac;;
    esac
    put "$target" "$b" "$f"
done

for f in "$T"/evtx/*/*; do put evtx "" "$f"; done
# Hives alone (framing byte 0), and the dirty hive with its log as the input's tail (framing
# byte 127 + the log's size in 512-byte units, as src/fuzzing.rs reads it).
for f in $(find "$T"/hives -type f ! -name '*.LOG*' | sort); do
    put hive 00 "$f" "$(echo "${f#"$T"/hives/}" | tr '/' '_')"
done
log="$T/hives/dirty/NTUSER.DAT.LOG1"
units=$(( $(stat -c %s "$log") / 512 ))
if [ "$units" -ge 1 ] && [ "$units" -le 128 ]; then
    { printf "\\x$(printf %02x $((127 + units)))"; cat "$T/hives/dirty/NTUSER.DAT" "$log"; } > "$S/hive/dirty-with-log"
fi
for f in $(find "$T"/prefetch -type f | sort); do put prefetch "" "$f" "$(basename "$f")"; done

# Partition tables: the first 64 KiB of each image, and an MBR whose extended partition
# chains two logical ones (each table points at an NTFS boot sector).
for image in ntfs-mbr ntfs-gpt ntfs-bare; do
    head -c 65536 "$T/images/$image.raw" > "$S/partitions/$image"
done
le32() { # a 32-bit little-endian integer
    printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)))"
}
table() { # SECTOR then (TYPE START COUNT)...: a partition table written at SECTOR
    local sector=$1; shift; local slot=0
    while [ $# -gt 0 ]; do
        { printf '\x00\x00\x00\x00'; printf "\\x$1"; printf '\x00\x00\x00'; le32 "$2"; le32 "$3"; } |
            dd of="$S/partitions/extended" bs=1 seek=$((sector * 512 + 446 + 16 * slot)) conv=notrunc status=none
        shift 3; slot=$((slot + 1))
    done
    printf '\x55\xaa' | dd of="$S/partitions/extended" bs=1 seek=$((sector * 512 + 510)) conv=notrunc status=none
}
head -c $((64 * 512)) /dev/zero > "$S/partitions/extended"
table 0 07 2 4 05 8 40
table 8 07 1 4 05 8 16
table 16 07 1 4
for sector in 2 9 17; do
    head -c 512 "$T/images/ntfs-bare.raw" |
        dd of="$S/partitions/extended" bs=512 seek=$sector conv=notrunc status=none
done

# NTFS: a 1.1 MB volume (the smallest mkntfs makes) holding three documents.
if command -v mkntfs > /dev/null && command -v ntfscp > /dev/null; then
    vol="$S/ntfs/small.raw"
    truncate -s 1100K "$vol"
    mkntfs -F -Q -q -s 512 -c 512 -H 0 -S 0 -p 0 "$vol" > /dev/null 2>&1
    for doc in word-ddeauto-runs.docx rtf-ddeauto.rtf csv-cmd.csv; do
        ntfscp -f "$vol" "$T/documents/positive/$doc" "$doc" > /dev/null 2>&1
    done
else
    echo "mkntfs/ntfscp absent: the ntfs target starts from the partition seeds" >&2
    cp "$S"/partitions/ntfs-bare "$S/ntfs/"
fi

# Carver: the 128 KiB windows of the scenario memory image that are not all zeros, and event-log
# chunks among junk.
mem="$T/scenarios/wks-sales-042.mem"
for i in $(seq 0 $(( $(stat -c %s "$mem") / 131072 - 1 ))); do
    window="$S/carver/mem-$i"
    dd if="$mem" of="$window" bs=131072 skip="$i" count=1 status=none
    [ "$(tr -d '\000' < "$window" | head -c 1 | wc -c)" -eq 0 ] && rm "$window"
done
for f in $(ls "$T"/evtx/positive/*.evtx | head -4); do
    { head -c 300 /dev/zero
      dd if="$f" iflag=skip_bytes,count_bytes skip=4096 count=65536 status=none
      printf 'junk powershell -enc AAAA DDEAUTO'; } > "$S/carver/chunk-$(basename "$f")"
done
for target in "$S"/*; do echo "$(basename "$target"): $(ls "$target" | wc -l) seeds"; done
