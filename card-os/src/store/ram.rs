//! Memory-backed stores.

use super::{range, Store, StoreError};

/// A store of `N` bytes held inline (a RAM image of the card's NVM; erased state 0xFF).
#[derive(Clone)]
pub struct RamStore<const N: usize> {
    bytes: [u8; N],
}

impl<const N: usize> RamStore<N> {
    /// An erased store (all bytes 0xFF).
    pub const fn new() -> Self {
        Self { bytes: [0xFF; N] }
    }
    /// The whole image.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }
    /// The whole image, mutable (tests that corrupt an image on purpose).
    pub fn as_bytes_mut(&mut self) -> &mut [u8] {
        &mut self.bytes
    }
}

impl<const N: usize> Default for RamStore<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> Store for RamStore<N> {
    fn capacity(&self) -> usize {
        N
    }
    fn read(&self, off: u32, buf: &mut [u8]) -> Result<(), StoreError> {
        let r = range(N, off, buf.len())?;
        buf.copy_from_slice(self.bytes.get(r).ok_or(StoreError::OutOfRange)?);
        Ok(())
    }
    fn write(&mut self, off: u32, data: &[u8]) -> Result<(), StoreError> {
        let r = range(N, off, data.len())?;
        self.bytes
            .get_mut(r)
            .ok_or(StoreError::OutOfRange)?
            .copy_from_slice(data);
        Ok(())
    }
}

/// A store over a borrowed byte slice (a flash region, a static buffer, a test vector).
pub struct SliceStore<'a> {
    bytes: &'a mut [u8],
}

impl<'a> SliceStore<'a> {
    /// Wrap `bytes` (used as is: format it with the factory first).
    pub fn new(bytes: &'a mut [u8]) -> Self {
        Self { bytes }
    }
    /// The whole image.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes
    }
}

impl Store for SliceStore<'_> {
    fn capacity(&self) -> usize {
        self.bytes.len()
    }
    fn read(&self, off: u32, buf: &mut [u8]) -> Result<(), StoreError> {
        let r = range(self.bytes.len(), off, buf.len())?;
        buf.copy_from_slice(self.bytes.get(r).ok_or(StoreError::OutOfRange)?);
        Ok(())
    }
    fn write(&mut self, off: u32, data: &[u8]) -> Result<(), StoreError> {
        let r = range(self.bytes.len(), off, data.len())?;
        self.bytes
            .get_mut(r)
            .ok_or(StoreError::OutOfRange)?
            .copy_from_slice(data);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ram_store_reads_back_and_checks_bounds() {
        let mut s = RamStore::<16>::new();
        s.write(4, &[1, 2, 3]).unwrap();
        let mut b = [0u8; 5];
        s.read(3, &mut b).unwrap();
        assert_eq!(b, [0xFF, 1, 2, 3, 0xFF]);
        assert_eq!(s.write(15, &[1, 2]), Err(StoreError::OutOfRange));
        assert_eq!(s.read(u32::MAX, &mut b), Err(StoreError::OutOfRange));
    }
}
