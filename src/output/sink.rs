//! Where the encoded bytes go: a buffered stream (stdout) that treats a
//! closed reader as the end of output, or a temporary file that replaces the
//! destination only when everything was written.
//!
//! Must never: leave a partial file at the destination, leave the temporary
//! file behind, or report a broken pipe on stdout as a failure.

use std::ffi::OsString;
use std::fs;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use super::error::OutputError;
use super::spec::Destination;

/// Size of the output buffers (stdout, the temporary file, the CSV writer).
pub(super) const BUFFER_SIZE: usize = 64 * 1024;

/// The byte destination of a [`super::writer::RecordWriter`].
pub(super) enum Sink {
    /// A stream such as stdout, buffered, ending quietly on a broken pipe.
    /// `interactive`: a terminal, flushed after every record.
    Stream {
        out: BufWriter<QuietPipe<Box<dyn Write + Send>>>,
        interactive: bool,
    },
    /// A temporary file next to `path`, renamed over it by [`Sink::finish`].
    File {
        out: BufWriter<NamedTempFile>,
        path: PathBuf,
    },
}

impl Sink {
    /// Open `destination`: stdout, or a temporary file beside the target.
    pub(super) fn open(destination: &Destination) -> Result<Sink, OutputError> {
        match destination {
            // Not a held `StdoutLock`: that is `!Send` and would keep the
            // writer out of multi-threaded async tasks. The lock is taken
            // once per 64 KiB flush instead, which costs nothing measurable.
            Destination::Stdout => {
                let stdout = io::stdout();
                let interactive = stdout.is_terminal();
                Ok(Sink::stream(Box::new(stdout), interactive))
            }
            Destination::File(path) => Sink::file(path),
        }
    }

    /// A buffered stream sink over any writer; `interactive` flushes after
    /// every record.
    pub(super) fn stream(inner: Box<dyn Write + Send>, interactive: bool) -> Sink {
        Sink::Stream {
            out: BufWriter::with_capacity(
                BUFFER_SIZE,
                QuietPipe {
                    inner,
                    closed: false,
                },
            ),
            interactive,
        }
    }

    /// Create the temporary file `.{name}.tmp*` in the directory of `path`
    /// (of the file it links to, if `path` is a symbolic link). An existing
    /// destination that is not a regular file (`/dev/null`, a named pipe) is
    /// written directly instead: it cannot be replaced, and must not be.
    fn file(path: &Path) -> Result<Sink, OutputError> {
        let target = match fs::symlink_metadata(path) {
            // Replace the file the link points to and keep the link. A
            // dangling link cannot be resolved and is replaced itself.
            Ok(meta) if meta.file_type().is_symlink() => {
                fs::canonicalize(path).unwrap_or_else(|_| path.to_owned())
            }
            _ => path.to_owned(),
        };
        let Some(name) = target.file_name() else {
            return Err(OutputError::NotAFile {
                path: path.to_owned(),
            });
        };
        // The permissions of the file being replaced, if there is one.
        let existing = match fs::metadata(&target) {
            Ok(meta) if meta.is_dir() => {
                return Err(OutputError::NotAFile {
                    path: path.to_owned(),
                });
            }
            Ok(meta) if !meta.is_file() => {
                let device =
                    fs::OpenOptions::new()
                        .write(true)
                        .open(&target)
                        .map_err(|source| OutputError::Write {
                            destination: Destination::File(path.to_owned()),
                            source,
                        })?;
                return Ok(Sink::stream(Box::new(device), false));
            }
            Ok(meta) => Some(meta.permissions()),
            Err(_) => None,
        };
        let dir = match target.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        match fs::metadata(dir) {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => {
                return Err(OutputError::NotADirectory {
                    path: path.to_owned(),
                    dir: dir.to_owned(),
                });
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(OutputError::MissingDirectory {
                    path: path.to_owned(),
                    dir: dir.to_owned(),
                });
            }
            Err(source) => {
                return Err(OutputError::Create {
                    path: path.to_owned(),
                    source,
                });
            }
        }

        let mut prefix = OsString::from(".");
        prefix.push(name);
        prefix.push(".tmp");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix);
        #[cfg(unix)]
        {
            // A new output file gets ordinary permissions (0666 & !umask),
            // not the owner-only 0600 of a temporary file.
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(fs::Permissions::from_mode(0o666));
        }
        let create_error = |source| OutputError::Create {
            path: path.to_owned(),
            source,
        };
        let temp = builder.tempfile_in(dir).map_err(create_error)?;
        if let Some(permissions) = existing {
            temp.as_file()
                .set_permissions(permissions)
                .map_err(create_error)?;
        }
        Ok(Sink::File {
            out: BufWriter::with_capacity(BUFFER_SIZE, temp),
            path: target,
        })
    }

    /// Whether the reader of a stream went away; later bytes are dropped.
    pub(super) fn is_closed(&self) -> bool {
        match self {
            Sink::Stream { out, .. } => out.get_ref().closed,
            Sink::File { .. } => false,
        }
    }

    /// Whether a person is watching (stdout is a terminal): records should
    /// then appear as they arrive rather than 64 KiB at a time.
    pub(super) fn is_interactive(&self) -> bool {
        matches!(
            self,
            Sink::Stream {
                interactive: true,
                ..
            }
        )
    }

    /// Flush; for a file also `fsync` and rename over the destination.
    ///
    /// On error the temporary file is removed and the destination untouched.
    pub(super) fn finish(self, destination: &Destination) -> Result<(), OutputError> {
        let write_error = |source| OutputError::Write {
            destination: destination.clone(),
            source,
        };
        match self {
            Sink::Stream { mut out, .. } => out.flush().map_err(write_error),
            Sink::File { out, path } => {
                // On error, dropping the temporary file deletes it.
                let temp = out.into_inner().map_err(|e| write_error(e.into_error()))?;
                temp.as_file().sync_all().map_err(write_error)?;
                temp.persist(&path).map_err(|e| OutputError::Persist {
                    path: path.clone(),
                    source: e.error,
                })?;
                sync_parent(&path);
                Ok(())
            }
        }
    }
}

/// Make the rename itself durable. Best effort: the file is already in
/// place, and not every platform or file system can sync a directory.
fn sync_parent(path: &Path) {
    #[cfg(unix)]
    {
        let dir = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        if let Ok(handle) = fs::File::open(dir) {
            let _ = handle.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

impl Write for Sink {
    #[inline]
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Sink::Stream { out, .. } => out.write(buf),
            Sink::File { out, .. } => out.write(buf),
        }
    }

    #[inline]
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Sink::Stream { out, .. } => out.write_all(buf),
            Sink::File { out, .. } => out.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Stream { out, .. } => out.flush(),
            Sink::File { out, .. } => out.flush(),
        }
    }
}

/// A writer that turns "broken pipe" into the quiet end of output: from the
/// first `BrokenPipe` on, every write reports success and drops the bytes.
pub(super) struct QuietPipe<W> {
    inner: W,
    closed: bool,
}

impl<W: Write> Write for QuietPipe<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.closed {
            return Ok(buf.len());
        }
        match self.inner.write(buf) {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(buf.len())
            }
            other => other,
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        match self.inner.write_all(buf) {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            other => other,
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        match self.inner.flush() {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Accepts `room` bytes, then fails with the given error kind.
    struct Failing {
        room: usize,
        kind: io::ErrorKind,
    }

    impl Write for Failing {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.room == 0 {
                return Err(io::Error::from(self.kind));
            }
            let n = buf.len().min(self.room);
            self.room -= n;
            Ok(n)
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn broken_pipe_closes_quietly() {
        let mut pipe = QuietPipe {
            inner: Failing {
                room: 3,
                kind: io::ErrorKind::BrokenPipe,
            },
            closed: false,
        };
        assert!(pipe.write_all(b"abcdef").is_ok());
        assert!(pipe.closed);
        assert_eq!(pipe.write(b"more").ok(), Some(4));
        assert!(pipe.flush().is_ok());
    }

    #[test]
    fn other_errors_are_reported() {
        let mut sink = Sink::stream(
            Box::new(Failing {
                room: 0,
                kind: io::ErrorKind::PermissionDenied,
            }),
            false,
        );
        assert!(sink.write_all(b"x").is_ok(), "buffered");
        assert!(!sink.is_closed());
        match sink.finish(&Destination::Stdout) {
            Err(OutputError::Write { source, .. }) => {
                assert_eq!(source.kind(), io::ErrorKind::PermissionDenied);
            }
            other => panic!("expected a write error, got {other:?}"),
        }
    }
}
