/*
 * ntfsbuild: populate an NTFS image file through libntfs-3g, without mounting.
 *
 * ntfs-3g's command-line tools (ntfscp, ntfsinfo, ...) can write a file into an
 * existing directory and write a named stream (ntfscp -N), but none of them
 * creates a directory, deletes a file or marks a folder compressed: those
 * only exist in the FUSE driver, which would need a mount. This helper calls
 * the same library functions the driver calls (ntfs_create, ntfs_delete,
 * ntfs_attr_add, ntfs_attr_pwrite) directly on the image file.
 *
 * Not done: 8.3 short names. Every name is a single $FILE_NAME in the POSIX
 * namespace, as ntfs-3g writes it; libntfs-3g's ntfs_set_ntfs_dos_name()
 * called this way failed ("Failed to sync FILE_NAME": EIO), so Windows'
 * WIN32 + DOS name pairs are not reproduced.
 *
 * Build:  cc -O2 -o ntfsbuild ntfsbuild.c $(pkg-config --cflags --libs libntfs-3g) -rdynamic
 *         (Debian package ntfs-3g-dev)
 * Usage:  ntfsbuild IMAGE < COMMANDS
 *
 * COMMANDS, one per line, fields separated by TABs; NTFS paths use '/' and are
 * relative to the volume root; '#' starts a comment line:
 *   time    YYYY-MM-DDTHH:MM:SSZ        the clock every following change stamps
 *   mkdir   PATH                        create a directory (parents too)
 *   compress PATH                       mark a directory compressed: files and
 *                                       directories created in it afterwards are
 *                                       LZNT1-compressed, as after Explorer's
 *                                       "Compress contents to save disk space"
 *   put     HOSTFILE PATH               create PATH with HOSTFILE's content
 *   write   HOSTFILE PATH OFFSET LENGTH copy bytes [OFFSET, OFFSET+LENGTH) of
 *                                       HOSTFILE to the same offset of PATH,
 *                                       creating PATH if needed (LENGTH -1: to
 *                                       the end); each call allocates clusters
 *                                       afresh, which is how fragments are made
 *   ads     HOSTFILE PATH STREAM        add (or overwrite) the named $DATA stream
 *   rm      PATH                        delete a file (the MFT record is freed,
 *                                       its clusters released, nothing wiped)
 *   stomp   PATH YYYY-MM-DDTHH:MM:SSZ   timestomp: set the four times of PATH's
 *                                       $STANDARD_INFORMATION (creation,
 *                                       modification, MFT change, access) to
 *                                       that instant; its $FILE_NAME times and
 *                                       the parent's index entry keep theirs,
 *                                       as after SetFileTime-based tools
 *
 * Time: libntfs-3g reads the clock through clock_gettime(), gettimeofday() and
 * time(). This program defines those three itself (linked with -rdynamic so
 * the library binds to them), and they return the time set by the last
 * "time" command, so every timestamp written is fixed by the command list.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <ntfs-3g/types.h>
#include <ntfs-3g/attrib.h>
#include <ntfs-3g/dir.h>
#include <ntfs-3g/inode.h>
#include <ntfs-3g/layout.h>
#include <ntfs-3g/logging.h>
#include <ntfs-3g/unistr.h>
#include <ntfs-3g/volume.h>

/* ---- fixed clock ------------------------------------------------------ */

static time_t fake_now = 1704067200; /* 2024-01-01T00:00:00Z until set */

int clock_gettime(clockid_t clk, struct timespec *ts)
{
	(void)clk;
	ts->tv_sec = fake_now;
	ts->tv_nsec = 0;
	return 0;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
	(void)tz;
	tv->tv_sec = fake_now;
	tv->tv_usec = 0;
	return 0;
}

time_t time(time_t *t)
{
	if (t)
		*t = fake_now;
	return fake_now;
}

/* ---- helpers ---------------------------------------------------------- */

static ntfs_volume *vol;
static int lineno;

static void die(const char *what, const char *arg)
{
	fprintf(stderr, "ntfsbuild: line %d: %s %s: %s\n", lineno, what,
		arg ? arg : "", strerror(errno));
	if (vol)
		ntfs_umount(vol, FALSE);
	exit(1);
}

static unsigned char *slurp(const char *host, size_t *len)
{
	FILE *f = fopen(host, "rb");
	unsigned char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		die("cannot open", host);
	do {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			if (!buf)
				die("out of memory reading", host);
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r);
	fclose(f);
	*len = n;
	return buf;
}

/* Split "a/b/c" into parent "a/b" (or "/" for the root) and name "c". */
static void split(const char *path, char *parent, size_t psz, const char **name)
{
	const char *slash = strrchr(path, '/');

	if (!slash) {
		snprintf(parent, psz, "/");
		*name = path;
	} else {
		snprintf(parent, psz, "/%.*s", (int)(slash - path), path);
		*name = slash + 1;
	}
}

static ntfs_inode *open_path(const char *path)
{
	char full[4096];

	snprintf(full, sizeof(full), "/%s", path);
	return ntfs_pathname_to_inode(vol, NULL, full);
}

/* Open PATH, creating it (type S_IFREG or S_IFDIR) in its parent if absent. */
static ntfs_inode *open_or_create(const char *path, mode_t type)
{
	char parent[4096];
	const char *name;
	ntfs_inode *ni, *dir;
	ntfschar *uname = NULL;
	int ulen;

	ni = open_path(path);
	if (ni)
		return ni;
	split(path, parent, sizeof(parent), &name);
	dir = ntfs_pathname_to_inode(vol, NULL, parent);
	if (!dir)
		die("no parent directory for", path);
	ulen = ntfs_mbstoucs(name, &uname);
	if (ulen <= 0)
		die("bad name", name);
	ni = ntfs_create(dir, const_cpu_to_le32(0), uname, (u8)ulen, type);
	if (!ni)
		die("cannot create", path);
	free(uname);
	if (ntfs_inode_close(dir))
		die("cannot close parent of", path);
	return ni;
}

static void write_attr(ntfs_inode *ni, ntfschar *sname, int slen,
		       const unsigned char *data, s64 off, s64 len,
		       const char *what)
{
	ntfs_attr *na = ntfs_attr_open(ni, AT_DATA, sname, slen);
	s64 done = 0, w;

	if (!na)
		die("cannot open $DATA of", what);
	while (done < len) {
		w = ntfs_attr_pwrite(na, off + done, len - done, data + done);
		if (w <= 0)
			die("write failed on", what);
		done += w;
	}
	/* flush the last compression block of a compressed stream */
	if (NAttrCompressed(na) && ntfs_attr_pclose(na))
		die("cannot finish compressed write on", what);
	ntfs_attr_close(na);
}

/* ---- commands --------------------------------------------------------- */

static time_t parse_time(const char *iso)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (!strptime(iso, "%Y-%m-%dT%H:%M:%SZ", &tm)) {
		errno = EINVAL;
		die("bad time", iso);
	}
	return timegm(&tm);
}

static void cmd_time(const char *iso)
{
	fake_now = parse_time(iso);
}

static void cmd_mkdir(const char *path)
{
	char part[4096];
	const char *p = path;

	/* create each missing component in turn */
	while ((p = strchr(p, '/')) != NULL) {
		snprintf(part, sizeof(part), "%.*s", (int)(p - path), path);
		if (ntfs_inode_close(open_or_create(part, S_IFDIR)))
			die("cannot close", part);
		p++;
	}
	if (ntfs_inode_close(open_or_create(path, S_IFDIR)))
		die("cannot close", path);
}

static void cmd_compress(const char *path)
{
	ntfs_inode *ni = open_path(path);

	if (!ni || !(ni->mrec->flags & MFT_RECORD_IS_DIRECTORY))
		die("not a directory:", path);
	ni->flags |= FILE_ATTR_COMPRESSED;
	/* write the flag to $STANDARD_INFORMATION and to the parent's index */
	NInoFileNameSetDirty(ni);
	ntfs_inode_mark_dirty(ni);
	if (ntfs_inode_close(ni))
		die("cannot close", path);
}

/*
 * Reads bytes [off, off + len) of HOST (len -1: to the end) into a new
 * buffer; only that range is read, so a large host file can feed many small
 * writes cheaply.
 */
static unsigned char *read_range(const char *host, s64 off, s64 *len)
{
	int fd = open(host, O_RDONLY);
	struct stat st;
	unsigned char *buf;
	s64 done = 0;
	ssize_t r;

	if (fd < 0 || fstat(fd, &st))
		die("cannot open", host);
	if (off < 0 || off > st.st_size) {
		errno = EINVAL;
		die("offset past the end of", host);
	}
	if (*len < 0 || off + *len > st.st_size)
		*len = st.st_size - off;
	buf = malloc(*len ? *len : 1);
	if (!buf)
		die("out of memory reading", host);
	while (done < *len) {
		r = pread(fd, buf + done, *len - done, off + done);
		if (r <= 0)
			die("cannot read", host);
		done += r;
	}
	close(fd);
	return buf;
}

static void cmd_write(const char *host, const char *path, s64 off, s64 len)
{
	unsigned char *data = read_range(host, off, &len);
	ntfs_inode *ni = open_or_create(path, S_IFREG);

	write_attr(ni, AT_UNNAMED, 0, data, off, len, path);
	if (ntfs_inode_close(ni))
		die("cannot close", path);
	free(data);
}

static void cmd_ads(const char *host, const char *path, const char *stream)
{
	size_t hlen;
	unsigned char *data = slurp(host, &hlen);
	ntfs_inode *ni = open_path(path);
	ntfschar *sname = NULL;
	int slen;

	if (!ni)
		die("no such file", path);
	slen = ntfs_mbstoucs(stream, &sname);
	if (slen <= 0)
		die("bad stream name", stream);
	if (!ntfs_attr_exist(ni, AT_DATA, sname, slen)
	    && ntfs_attr_add(ni, AT_DATA, sname, (u8)slen, NULL, 0))
		die("cannot add stream to", path);
	write_attr(ni, sname, slen, data, 0, (s64)hlen, path);
	ntfs_inode_update_times(ni, NTFS_UPDATE_CTIME);
	if (ntfs_inode_close(ni))
		die("cannot close", path);
	free(sname);
	free(data);
}

static void cmd_rm(const char *path)
{
	char parent[4096], full[4096];
	const char *name;
	ntfs_inode *ni, *dir;
	ntfschar *uname = NULL;
	int ulen;

	split(path, parent, sizeof(parent), &name);
	snprintf(full, sizeof(full), "/%s", path);
	dir = ntfs_pathname_to_inode(vol, NULL, parent);
	ni = open_path(path);
	if (!dir || !ni)
		die("no such file", path);
	ulen = ntfs_mbstoucs(name, &uname);
	if (ulen <= 0)
		die("bad name", name);
	/* closes both inodes */
	if (ntfs_delete(vol, full, ni, dir, uname, (u8)ulen))
		die("cannot delete", path);
	free(uname);
}

/*
 * The inode's cached times are what ntfs_inode_sync() writes back to
 * $STANDARD_INFORMATION when a dirty inode is closed; nothing re-stamps them
 * on the way (only ntfs_inode_update_times() would, and it is not called).
 * NInoFileNameDirty stays clear, so neither the $FILE_NAME attribute in the
 * record nor its copy in the parent's $I30 index is rewritten.
 * (ntfs_inode_set_times(), the "system.ntfs_times" setter, is not used: it
 * stamps the MFT-change time with the clock and resyncs the index entry.)
 */
static void cmd_stomp(const char *path, const char *iso)
{
	ntfs_time t = timespec2ntfs((struct timespec){ .tv_sec = parse_time(iso) });
	ntfs_inode *ni = open_path(path);

	if (!ni)
		die("no such file", path);
	ni->creation_time = t;
	ni->last_data_change_time = t;
	ni->last_mft_change_time = t;
	ni->last_access_time = t;
	ntfs_inode_mark_dirty(ni);
	if (ntfs_inode_close(ni))
		die("cannot close", path);
}

int main(int argc, char **argv)
{
	char line[8192];
	char *f[6];
	int n;

	if (argc != 2) {
		fprintf(stderr, "usage: ntfsbuild IMAGE < COMMANDS\n");
		return 2;
	}
	/* library messages to stderr; NTFSBUILD_DEBUG=1 adds its debug output */
	ntfs_log_set_handler(ntfs_log_handler_stderr);
	if (getenv("NTFSBUILD_DEBUG"))
		ntfs_log_set_levels(NTFS_LOG_LEVEL_DEBUG | NTFS_LOG_LEVEL_TRACE
				    | NTFS_LOG_LEVEL_VERBOSE | NTFS_LOG_LEVEL_INFO);
	vol = ntfs_mount(argv[1], NTFS_MNT_NONE);
	if (!vol)
		die("cannot open NTFS volume", argv[1]);
	NVolSetCompression(vol); /* what ntfs-3g's "compression" option does */

	while (fgets(line, sizeof(line), stdin)) {
		char *s = line, *tok;

		lineno++;
		line[strcspn(line, "\r\n")] = 0;
		if (!line[0] || line[0] == '#')
			continue;
		for (n = 0; n < 6 && (tok = strsep(&s, "\t")) != NULL;)
			if (*tok)
				f[n++] = tok;
		if (!n)
			continue;
		errno = EINVAL;
		if (!strcmp(f[0], "time") && n == 2)
			cmd_time(f[1]);
		else if (!strcmp(f[0], "mkdir") && n == 2)
			cmd_mkdir(f[1]);
		else if (!strcmp(f[0], "compress") && n == 2)
			cmd_compress(f[1]);
		else if (!strcmp(f[0], "put") && n == 3)
			cmd_write(f[1], f[2], 0, -1);
		else if (!strcmp(f[0], "write") && n == 5)
			cmd_write(f[1], f[2], strtoll(f[3], NULL, 0),
				  strtoll(f[4], NULL, 0));
		else if (!strcmp(f[0], "ads") && n == 4)
			cmd_ads(f[1], f[2], f[3]);
		else if (!strcmp(f[0], "rm") && n == 2)
			cmd_rm(f[1]);
		else if (!strcmp(f[0], "stomp") && n == 3)
			cmd_stomp(f[1], f[2]);
		else
			die("bad command", f[0]);
	}
	if (ntfs_umount(vol, FALSE)) {
		vol = NULL;
		die("cannot close volume", argv[1]);
	}
	return 0;
}
