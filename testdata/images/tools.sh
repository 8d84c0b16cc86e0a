# Sourced by make-images.sh and make-bench-image.sh: stops with the apt-get line to run when a
# tool (or libntfs-3g's headers) is missing.
#   require_tools "PACKAGES" TOOL...
require_tools() {
	local packages="$1" tool
	shift
	for tool in "$@"; do
		command -v "$tool" >/dev/null || {
			echo "missing $tool: apt-get install -y $packages" >&2
			exit 1
		}
	done
	pkg-config --exists libntfs-3g || { echo "missing libntfs-3g headers: apt-get install -y ntfs-3g-dev" >&2; exit 1; }
}
