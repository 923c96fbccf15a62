//! The media files a snapshot may serve at `/media/<path>`: exactly the files published
//! episodes reference, keyed by their path under the content directory. Anything not in
//! this table is never served, whatever exists on disk.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::content::media::MediaInfo;

/// One servable media file: where it is on disk and what the feed said about it.
#[derive(Debug, Clone)]
pub struct MediaFile {
    /// The file to open (its symlinks already resolved: the server opens it without
    /// following a symlink at the last component).
    pub fs_path: PathBuf,
    /// As probed when the snapshot was built (the feed's length, type and ETag). The server
    /// takes length, ETag and `Last-Modified` from the file it opens instead, so a file
    /// replaced since then is never served with stale headers.
    pub info: MediaInfo,
}

/// Path under the content directory, `/`-separated, exactly as it follows `/media/` in the
/// URL → the file. Sorted, so anything listed from it is deterministic.
#[derive(Debug, Clone, Default)]
pub struct MediaTable {
    files: BTreeMap<String, MediaFile>,
}

impl MediaTable {
    pub fn new(files: impl IntoIterator<Item = (String, MediaFile)>) -> Self {
        MediaTable {
            files: files.into_iter().collect(),
        }
    }

    /// The file at `rel` (the URL path after `/media/`, percent-decoded), if it is served.
    pub fn get(&self, rel: &str) -> Option<&MediaFile> {
        self.files.get(rel)
    }
}
