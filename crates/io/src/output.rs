//! An output file that appears under its final name only when complete: written as `NAME.partial`, renamed by
//! [`PartialFile::commit`], removed if dropped before that.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::error::IoError;

pub(crate) struct PartialFile {
    pub path: PathBuf,
    temp: PathBuf,
    committed: bool,
}

impl PartialFile {
    pub(crate) fn create(path: &Path) -> Result<(PartialFile, File), IoError> {
        let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
        name.push(".partial");
        let temp = path.with_file_name(name);
        let file = File::create(&temp).map_err(|e| IoError::write(path, e))?;
        Ok((PartialFile { path: path.to_path_buf(), temp, committed: false }, file))
    }

    /// Syncs `file` and moves it to the final name.
    pub(crate) fn commit(mut self, file: File) -> Result<(), IoError> {
        file.sync_all().map_err(|e| IoError::write(&self.path, e))?;
        drop(file);
        std::fs::rename(&self.temp, &self.path).map_err(|e| IoError::write(&self.path, e))?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for PartialFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}
