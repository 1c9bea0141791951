//! (feature `std`) A store persisted to an image file, write-through.

use super::{range, Store, StoreError};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

/// A card image file (`sscard emulate --emulator card.img`). Every `write` goes straight to the
/// file (write-through), so the journal's ordering holds on disk too; `flush` syncs the data.
pub struct FileStore {
    file: File,
    image: Vec<u8>,
    sync_on_flush: bool,
}

impl FileStore {
    /// Open `path`, creating an erased (0xFF) image of `capacity` bytes if it does not exist.
    /// An existing image keeps its size (it must be at least `capacity` bytes if given non-zero).
    pub fn open(path: &Path, capacity: usize) -> Result<Self, StoreError> {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|_| StoreError::Io)?;
        let mut image = Vec::new();
        file.read_to_end(&mut image).map_err(|_| StoreError::Io)?;
        if image.is_empty() {
            image = vec![0xFF; capacity];
            file.write_all(&image).map_err(|_| StoreError::Io)?;
            file.sync_all().map_err(|_| StoreError::Io)?;
        } else if image.len() < capacity {
            return Err(StoreError::OutOfRange);
        }
        Ok(Self {
            file,
            image,
            sync_on_flush: true,
        })
    }

    /// Skip `fsync` on `flush` (tests and emulation where host crashes are not a concern).
    pub fn without_sync(mut self) -> Self {
        self.sync_on_flush = false;
        self
    }

    /// The whole image as last written.
    pub fn as_bytes(&self) -> &[u8] {
        &self.image
    }

    /// Force the file contents to disk.
    pub fn sync(&mut self) -> Result<(), StoreError> {
        self.file.sync_data().map_err(|_| StoreError::Io)
    }
}

impl Store for FileStore {
    fn capacity(&self) -> usize {
        self.image.len()
    }
    fn read(&self, off: u32, buf: &mut [u8]) -> Result<(), StoreError> {
        let r = range(self.image.len(), off, buf.len())?;
        buf.copy_from_slice(self.image.get(r).ok_or(StoreError::OutOfRange)?);
        Ok(())
    }
    fn write(&mut self, off: u32, data: &[u8]) -> Result<(), StoreError> {
        let r = range(self.image.len(), off, data.len())?;
        self.file
            .seek(SeekFrom::Start(u64::from(off)))
            .and_then(|_| self.file.write_all(data))
            .map_err(|_| StoreError::Io)?;
        self.image
            .get_mut(r)
            .ok_or(StoreError::OutOfRange)?
            .copy_from_slice(data);
        Ok(())
    }
    fn flush(&mut self) -> Result<(), StoreError> {
        if self.sync_on_flush {
            self.sync()?;
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn file_store_persists_across_reopen() {
        let dir = std::env::temp_dir().join(format!("sscard-filestore-{}", std::process::id()));
        let _ = std::fs::remove_file(&dir);
        {
            let mut s = FileStore::open(&dir, 64).unwrap().without_sync();
            s.write(3, &[7, 8]).unwrap();
            s.flush().unwrap();
        }
        let s = FileStore::open(&dir, 64).unwrap();
        let mut b = [0u8; 3];
        s.read(2, &mut b).unwrap();
        assert_eq!(b, [0xFF, 7, 8]);
        assert_eq!(s.capacity(), 64);
        std::fs::remove_file(&dir).unwrap();
    }
}
