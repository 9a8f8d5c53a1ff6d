//! What can go wrong writing records, each naming what could not be done and where.

use std::io;
use std::path::PathBuf;

use super::spec::Destination;

/// Errors of this module. `Display` is one line naming what could not be
/// done and where.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The directory that should hold the output file does not exist.
    #[error("cannot write {}: directory {} does not exist", .path.display(), .dir.display())]
    MissingDirectory {
        /// The requested output file.
        path: PathBuf,
        /// Its parent directory.
        dir: PathBuf,
    },
    /// The parent of the output file exists but is not a directory.
    #[error("cannot write {}: {} is not a directory", .path.display(), .dir.display())]
    NotADirectory {
        /// The requested output file.
        path: PathBuf,
        /// Its parent, which is not a directory.
        dir: PathBuf,
    },
    /// The output path names a directory, or has no file name at all.
    #[error("cannot write {}: the output path must name a file, not a directory", .path.display())]
    NotAFile {
        /// The requested output file.
        path: PathBuf,
    },
    /// The temporary file next to the output could not be created.
    #[error("cannot create a temporary file next to {}: {source}", .path.display())]
    Create {
        /// The requested output file.
        path: PathBuf,
        /// The underlying I/O error.
        source: io::Error,
    },
    /// Writing, flushing or syncing the output failed.
    #[error("cannot write to {destination}: {source}")]
    Write {
        /// Where the records were going.
        destination: Destination,
        /// The underlying I/O error.
        source: io::Error,
    },
    /// The finished temporary file could not be renamed over the output.
    #[error("cannot move the finished output into place at {}: {source}", .path.display())]
    Persist {
        /// The requested output file.
        path: PathBuf,
        /// The underlying I/O error.
        source: io::Error,
    },
    /// The temporary spool file used to flatten CSV failed.
    #[error("cannot use the temporary spool file for flattened CSV: {0}")]
    Spool(#[source] io::Error),
    /// A record handed over as text is not JSON.
    #[error("a record is not JSON: {0}")]
    NotJson(#[source] serde_json::Error),
    /// Cells rendered ahead were handed to an output that is not CSV with their columns.
    #[error("rows of cells were handed to an output that is not CSV with the same columns")]
    NotCells,
    /// A CSV spec declared an empty column list.
    #[error("CSV output declares no columns; omit `columns` to flatten records instead")]
    NoColumns,
}
