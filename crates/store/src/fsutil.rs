//! File-system helpers for durability: fsync of folders and atomic replacement of small files.

use std::fs::File;
use std::io::Write;
use std::path::Path;

use tropa_engine::EngineError;

/// Makes a rename or file creation in `dir` durable.
pub fn sync_dir(dir: &Path) -> Result<(), EngineError> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(EngineError::io("fsync", dir))
}

/// Replaces `path` with `bytes` atomically: write a temporary file, fsync it, rename over, fsync the folder.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), EngineError> {
    let tmp = path.with_extension("tmp");
    let mut f = File::create(&tmp).map_err(EngineError::io("create", &tmp))?;
    f.write_all(bytes).map_err(EngineError::io("write", &tmp))?;
    f.sync_all().map_err(EngineError::io("fsync", &tmp))?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(EngineError::io("rename", path))?;
    if let Some(dir) = path.parent() {
        sync_dir(dir)?;
    }
    Ok(())
}
