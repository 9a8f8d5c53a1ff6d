//! How this process's allocator is set up: glibc's malloc, told to map large blocks on their
//! own so that they go back to the system when freed.
//!
//! A run's largest blocks are short-lived: the HTTP client's read buffers (about 400 KiB each on
//! a fast connection, several per page read) and a page's records. glibc maps a block of
//! 128 KiB or more on its own at first, but raises that threshold to the size of each mapped
//! block freed, so after the first buffer they all come from the arenas' heaps, where freed
//! space is kept for later, per thread, and a run's resident size becomes the sum of each
//! arena's high-water mark. A fixed threshold keeps every such buffer mapped and unmapped. The
//! price is a page fault per page of each new buffer; see ARCHITECTURE.md (Memory and the
//! allocator) for what was measured both ways.

/// Blocks of this size and more are mapped on their own, and unmapped when freed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: libc::c_int = 256 * 1024;

/// Sets the allocator up as the module says; call once, first thing in `main`. Does nothing
/// but on Linux with glibc.
pub fn tune() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(unsafe_code)]
    // SAFETY: `mallopt` only changes allocator parameters, is safe to call at any time from any
    // thread, and reports a value it refuses by returning 0 (then the default stays).
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
    }
}
