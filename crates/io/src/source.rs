//! Opening an input file: gzip is recognised by its magic bytes (`1f 8b`), not by the extension, and the bytes
//! taken from the file (compressed bytes for gzip) are counted for the progress bar.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use flate2::read::MultiGzDecoder;

use crate::error::IoError;

/// Bytes consumed so far, shared between the reader and whoever asks for progress.
#[derive(Debug, Clone, Default)]
pub(crate) struct Consumed(Arc<AtomicU64>);

impl Consumed {
    pub(crate) fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

struct Counting<R> {
    inner: R,
    consumed: Consumed,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.consumed.0.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// A decompressed byte stream over an input file.
pub(crate) struct Source {
    pub reader: Box<dyn Read + Send>,
    pub consumed: Consumed,
    pub total: Option<u64>,
}

/// True if the file starts with the gzip magic bytes.
pub(crate) fn is_gzip(file: &mut File) -> std::io::Result<bool> {
    let mut magic = [0u8; 2];
    let mut got = 0;
    while got < 2 {
        match file.read(&mut magic[got..])? {
            0 => break,
            n => got += n,
        }
    }
    file.seek(SeekFrom::Start(0))?;
    Ok(got == 2 && magic == [0x1f, 0x8b])
}

pub(crate) fn open(path: &Path) -> Result<Source, IoError> {
    let mut file = File::open(path).map_err(|e| IoError::open(path, e))?;
    let total = file.metadata().ok().map(|m| m.len());
    let gzip = is_gzip(&mut file).map_err(|e| IoError::read(path, 0, e))?;
    let consumed = Consumed::default();
    let counting = Counting { inner: file, consumed: consumed.clone() };
    let reader: Box<dyn Read + Send> = if gzip {
        Box::new(MultiGzDecoder::new(BufReader::with_capacity(1 << 16, counting)))
    } else {
        Box::new(counting)
    };
    Ok(Source { reader, consumed, total })
}
